package cpi.demo;

/** The finetuning variants the demo runs from the same pretrained model. */
public enum Variant {
    BASELINE("baseline", "the IFT mixture as generated"),
    FILTERED("filtered", "no-context-loss filter drops the examples the base model already knows"),
    AUGMENTED("augmented", "counterfactual examples (known IFT subjects, context states another object) added"),
    QK_ONLY("qk_only", "only attention query and key matrices are trained");

    private final String id;
    private final String description;

    Variant(String id, String description) {
        this.id = id;
        this.description = description;
    }

    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    /** By id ("qk_only"), case-insensitive; a one-line error lists the ids. */
    public static Variant parse(String id) {
        for (Variant v : values()) {
            if (v.id.equalsIgnoreCase(id.trim())) {
                return v;
            }
        }
        throw new cpi.util.UserError("--variants: unknown variant '" + id + "' (known: " + ids() + ")");
    }

    /** The ids, comma-separated, for messages. */
    public static String ids() {
        return String.join(", ", java.util.Arrays.stream(values()).map(Variant::id).toList());
    }
}
