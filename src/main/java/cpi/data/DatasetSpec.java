package cpi.data;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One registry entry (src/main/resources/cpi/data/datasets.json): where a built-in dataset's files are
 * (relative to the data directory), their format, and how items are put into strata.
 */
public record DatasetSpec(String name, String paperName, Format format, List<SourceFile> files, String description,
                          List<StratumRule> strata, String defaultStratum, String licence) {

    /** A file of the dataset; stratum (nullable) overrides the rules for all its items. */
    public record SourceFile(String path, String stratum) {}

    /** Items whose question matches the regex (find) go into this stratum. */
    public record StratumRule(String name, Pattern questionRegex) {}

    /** The stratum for a question: the first matching rule, else the default. */
    public String stratumOf(String question) {
        for (StratumRule r : strata) {
            if (r.questionRegex().matcher(question).find()) {
                return r.name();
            }
        }
        return defaultStratum;
    }
}
