package cpi.data;

import java.util.List;

/**
 * A loaded knowledge-conflict dataset: its name (registry name or file name), the sha256 of its source
 * file(s) for provenance, and its items in file order.
 */
public record Dataset(String name, String sha256, List<ConflictItem> items) {
    public Dataset {
        items = List.copyOf(items);
    }

    /** The first {@code limit} items (all when limit &lt;= 0 or larger than the dataset). */
    public Dataset limit(int limit) {
        return limit <= 0 || limit >= items.size() ? this : new Dataset(name, sha256, items.subList(0, limit));
    }
}
