package cpi.cli;

import cpi.train.IftExample;
import cpi.mitigate.MitigationData;
import cpi.mitigate.MixtureExport;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cpi data export}: a mixture in the formats external trainers read. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write a (filtered or augmented) mixture for an external trainer.",
            "  alpaca    JSON array of {instruction, input, output} (axolotl type: alpaca)",
            "  messages  JSONL of {\"messages\": [user, assistant]} (axolotl type: chat_template, TRL)"})
public final class DataExportCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, paramLabel = "FILE", description = "The mixture (any format cpi reads).")
    Path data;

    @Option(names = "--format", required = true, paramLabel = "FORMAT", description = "alpaca or messages.")
    String format;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output file.")
    Path out;

    @Override
    public Integer call() {
        List<IftExample> examples = MitigationData.read(data);
        MixtureExport.Format f = MixtureExport.Format.parse(format);
        MixtureExport.write(examples, f, out);
        System.out.printf("exported %d examples as %s: %s%n", examples.size(), f.name().toLowerCase(),
                out.toAbsolutePath().normalize());
        return 0;
    }
}
