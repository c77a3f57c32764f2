package cpi.data;

import java.util.List;

/**
 * A loaded knowledge-conflict dataset: its name (registry name or file name), the sha256 (hex) of its
 * source file(s) for provenance, and its items in file order.
 */
public record Dataset(String name, String sha256, List<ConflictItem> items) {
    public Dataset {
        items = List.copyOf(items);
    }

    /** "sha256:HEX", the form provenance records use. */
    public String fingerprint() {
        return sha256.startsWith("sha256:") ? sha256 : "sha256:" + sha256;
    }

    /** The first {@code limit} items (all when limit &lt;= 0 or larger than the dataset). */
    public Dataset limit(int limit) {
        return limit <= 0 || limit >= items.size() ? this : new Dataset(name, sha256, items.subList(0, limit));
    }
}
