package cpi;

/** The cpi version recorded in every result's provenance. */
public final class CpiVersion {
    public static final String VERSION = "0.1.0";

    private CpiVersion() {}
}
