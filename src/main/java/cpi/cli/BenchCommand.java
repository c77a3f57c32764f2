package cpi.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.CpiVersion;
import cpi.bench.Bench;
import cpi.bench.Figure;
import cpi.report.TextTable;
import cpi.util.Djl;
import cpi.util.Json;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** cpi bench: speed figures on this machine (JSON plus a table), optionally side by side with PyTorch. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure cpi's speed on this machine: matmul ceiling, training, prefill and decode tokens/s, "
                + "scoring items/s, demo seconds, memory growth. Prints a table; --json writes the figures.")
public final class BenchCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--only", paramLabel = "NAME", description = "Run only this figure (repeatable). --list shows the names.")
    List<String> only = new ArrayList<>();

    @Option(names = "--list", description = "List the figure names and exit.")
    boolean list;

    @Option(names = "--quick", description = "Fewer repetitions (a smoke run; noisier numbers).")
    boolean quick;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the results as JSON to FILE.")
    Path json;

    @Option(names = "--compare", paramLabel = "FILE",
            description = "JSON written by tools/bench/torch_reference.py --json: adds PyTorch and ratio columns.")
    Path compare;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
            description = "Intra-op threads (default 0 = all cores, as every cpi command uses).")
    int threads;

    @Option(names = "--stories", paramLabel = "PATH", description = "stories260K.bin (default: found under ../shared/models).")
    Path stories;

    @Override
    public Integer call() {
        common.apply();
        if (list) {
            Bench.names().forEach(System.out::println);
            return 0;
        }
        Djl.engine();
        int used = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        ai.djl.pytorch.jni.JniUtils.setNumThreads(used);
        JsonNode torch = compare == null ? null : Json.read(compare).path("figures");
        List<Figure> figs = Bench.run(new Bench.Options(quick, new LinkedHashSet<>(only), stories), f -> {
            if (!common.quiet()) {
                System.err.println("bench: " + f.name() + " = " + (f.measured() ? fmt(f.value()) + " " + f.unit() : f.status()
                        + " (" + f.note() + ")"));
            }
        });
        ObjectNode out = Json.object();
        out.put("cpi_version", CpiVersion.VERSION);
        out.put("time", Instant.now().toString());
        out.put("engine", "PyTorch " + Djl.engine().getVersion() + " via DJL");
        out.put("threads", used);
        out.put("cores", Runtime.getRuntime().availableProcessors());
        out.put("blas", Djl.cpuKernels() + ", statically linked in DJL's libtorch " + Djl.engine().getVersion());
        out.put("quick", quick);
        ArrayNode arr = out.putArray("figures");
        List<String> header = new ArrayList<>(List.of("figure", "cpi", "unit"));
        if (torch != null) {
            header.addAll(List.of("pytorch", "cpi/pytorch"));
        }
        header.add("note");
        List<List<String>> rows = new ArrayList<>();
        for (Figure f : figs) {
            ObjectNode o = f.toJson();
            List<String> row = new ArrayList<>(List.of(f.name(), f.measured() ? fmt(f.value()) : f.status(), f.unit()));
            if (torch != null) {
                JsonNode t = torch.get(f.name());
                if (t != null && t.isNumber()) {
                    o.put("pytorch", t.asDouble());
                    row.add(fmt(t.asDouble()));
                    if (f.measured()) {
                        double ratio = f.value() / t.asDouble();
                        o.put("ratio_vs_pytorch", ratio);
                        row.add(String.format(Locale.ROOT, "%.2fx", ratio));
                    } else {
                        row.add("");
                    }
                } else {
                    row.add("");
                    row.add("");
                }
            }
            row.add(f.note());
            rows.add(row);
            arr.add(o);
        }
        if (json != null) {
            Json.writeFile(json, out);
        }
        TextTable table = new TextTable(header.toArray(String[]::new)).maxWidth(60);
        rows.forEach(r -> table.row(r.toArray()));
        table.print(System.out);
        return 0;
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
