package cpi.cli;

import cpi.data.Dataset;
import cpi.data.Datasets;
import cpi.eval.EvalOptions;
import cpi.eval.EvalResult;
import cpi.eval.EvalSummary;
import cpi.eval.Evaluator;
import cpi.eval.OpenAiConfig;
import cpi.eval.OpenAiTextModel;
import cpi.experiment.RunLock;
import cpi.eval.PromptTemplate;
import cpi.eval.Scorers;
import cpi.eval.Templates;
import cpi.model.ContextPolicy;
import cpi.model.TextModel;
import cpi.model.Tokenizer;
import cpi.util.Json;
import cpi.util.UserError;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cpi eval}: context reliance of a local or served model on knowledge-conflict datasets. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Measure context reliance: counterfactual vs parametric accuracy (with bootstrap 95%% CIs, per "
                + "dataset and stratum) of an in-process model (--model PATH) or an OpenAI-compatible server "
                + "(--base-url URL --model-name NAME).",
            "With --out DIR: DIR/items.NAME.jsonl grows as items finish and DIR/summary.json is written at the end; "
                + "re-running with the same --out redoes only missing or failed items.",
            "The API key comes from OPENAI_API_KEY (or --api-key) and is never printed or written."})
public final class EvalCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "PATH",
            description = "Local model directory (config.json + safetensors + tokenizer) or llama2.c .bin.")
    Path model;

    @Option(names = "--context-overflow", paramLabel = "truncate|refuse", defaultValue = "truncate",
            description = "A prompt longer than the local model's context: cut its start with a warning, or "
                    + "refuse (default ${DEFAULT-VALUE}).")
    String contextOverflow;

    @Option(names = "--backend", paramLabel = "local|openai",
            description = "Backend (default: openai when --base-url/--model-name/OPENAI_BASE_URL is given, else local).")
    String backend;

    @Option(names = "--base-url", paramLabel = "URL", description = "OpenAI-compatible server, e.g. "
            + "http://localhost:8000/v1 (default $OPENAI_BASE_URL).")
    String baseUrl;

    @Option(names = "--model-name", paramLabel = "NAME", description = "Served model name (as in /v1/models).")
    String modelName;

    @Option(names = "--api-key", paramLabel = "KEY", description = "API key (prefer $OPENAI_API_KEY: flags show "
            + "up in process lists). Never logged or written.")
    String apiKey;

    @Option(names = "--chat", description = "Use /v1/chat/completions (the server's chat template); default "
            + "template 'message'.")
    boolean chat;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "4",
            description = "Requests in flight to the server (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "4",
            description = "Retries per request on 429/5xx/timeouts/connection errors (default ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
            description = "Per-request timeout (default ${DEFAULT-VALUE}).")
    double timeoutSeconds;

    @Option(names = "--dataset", required = true, split = ",", paramLabel = "NAME",
            description = "Dataset names or files, comma-separated. Built in: ${COMPLETION-CANDIDATES}.",
            completionCandidates = DataValidateCommand.DatasetNames.class)
    List<String> datasets;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Folder with the dataset files (default $CPI_DATA, then ../shared/data).")
    Path dataDir;

    @Option(names = "--template", paramLabel = "T", description = "Prompt template: plain, alpaca, alpaca-standard, "
            + "tulu, chatml, raw, message, tokenizer; append +adhere for the context-adhering instruction "
            + "(default plain, or message with --chat).")
    String template;

    @Option(names = "--context-instruction", description = "Add \"Answer the question based on the input context "
            + "only.\" (same as TEMPLATE+adhere).")
    boolean contextInstruction;

    @Option(names = "--scorer", paramLabel = "S", defaultValue = "contains",
            description = "contains (paper), normalized, first-mention, logprob (default ${DEFAULT-VALUE}).")
    String scorer;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0", description = "First N items per dataset.")
    int limit;

    @Option(names = "--batch-size", paramLabel = "N", description = "Prompts per model call (default 8 local, "
            + "4 x concurrency served).")
    Integer batchSize;

    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "32",
            description = "Generation length (default ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--bootstrap", paramLabel = "N", defaultValue = "1000",
            description = "Bootstrap resamples for the CIs (default ${DEFAULT-VALUE}).")
    int bootstrap;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Bootstrap seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (summary.json, items.NAME.jsonl); "
            + "re-running with it resumes.")
    Path out;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        common.apply();
        Scorers.get(scorer);
        boolean served = isServed();
        List<Dataset> loaded = new ArrayList<>();
        for (String d : datasets) {
            if (!d.isBlank()) {
                loaded.add(Datasets.load(d.strip(), dataDir));
            }
        }
        if (loaded.isEmpty()) {
            throw new UserError("--dataset is empty (known: " + String.join(", ", Datasets.names()) + ")");
        }
        try (RunLock lock = out == null ? null : RunLock.acquire(out);
             Opened opened = served ? openServed() : LocalBackend.open(model, ContextPolicy.parse(contextOverflow))) {
            String tname = template != null ? template : chat ? "message" : "plain";
            if (contextInstruction && !tname.endsWith(Templates.ADHERE_SUFFIX)) {
                tname = tname + Templates.ADHERE_SUFFIX;
            }
            PromptTemplate t = Templates.resolve(tname, opened.tokenizer());
            int batch = batchSize != null ? batchSize : served ? 4 * concurrency : 8;
            EvalOptions opts = EvalOptions.defaults().withLimit(limit).withBatchSize(Math.max(1, batch))
                    .withMaxNewTokens(maxNewTokens).withOutDir(out).withBootstrap(bootstrap)
                    .withProgress(!common.quiet());
            opts = new EvalOptions(opts.limit(), opts.batchSize(), opts.maxNewTokens(), opts.outDir(),
                    opts.bootstrap(), seed, opts.progress(), opts.maxFailedBatches());
            Evaluator evaluator = new Evaluator();
            List<EvalResult> results = new ArrayList<>();
            for (Dataset ds : loaded) {
                long t0 = System.nanoTime();
                double cpu0 = cpuSeconds();
                results.add(evaluator.evaluate(opened.model(), ds, t, scorer, opts));
                double secs = (System.nanoTime() - t0) / 1e9;
                double cpu = cpuSeconds() - cpu0;
                if (evaluator.lastAttempted() > 0) {
                    // CPU seconds too: on a shared machine wall-clock throughput depends on the neighbours.
                    System.err.printf("eval: %s: %d items in %.1f s (%.1f items/s, scorer %s; %.1f cpu s)%n", ds.name(),
                            evaluator.lastAttempted(), secs, evaluator.lastAttempted() / secs, scorer, cpu);
                }
            }
            EvalSummary.table(results).print(System.out);
            long failed = results.stream().mapToLong(EvalResult::failed).sum();
            if (out != null) {
                EvalSummary.write(out, results, opened.model().fingerprint(), t.name(), scorer, seed, config(served,
                        t.name()));
                System.out.println("wrote " + out.resolve(EvalSummary.FILE));
            }
            if (failed > 0) {
                System.err.println("eval: " + failed + " item(s) have no result (accuracies cover completed items"
                        + " only)" + (out != null ? "; re-run the same command to retry them" : ""));
            }
            return 0;
        }
    }

    private boolean isServed() {
        if (backend != null) {
            return switch (backend) {
                case "openai" -> true;
                case "local" -> false;
                default -> throw new UserError("unknown --backend '" + backend + "' (known: local, openai)");
            };
        }
        if (model != null) {
            if (baseUrl != null || modelName != null) {
                throw new UserError("--model (in-process) and --base-url/--model-name (served) exclude each other; "
                        + "pass one of them");
            }
            return false;
        }
        if (baseUrl != null || modelName != null || env("OPENAI_BASE_URL") != null) {
            return true;
        }
        throw new UserError("no model: pass --model PATH (in-process) or --base-url URL --model-name NAME "
                + "(OpenAI-compatible server)");
    }

    private Opened openServed() {
        String url = baseUrl != null ? baseUrl : env("OPENAI_BASE_URL");
        String key = apiKey != null ? apiKey : env("OPENAI_API_KEY");
        if (timeoutSeconds <= 0) {
            throw new UserError("--timeout must be > 0 seconds");
        }
        OpenAiConfig cfg = OpenAiConfig.of(url, modelName, key).withChat(chat).withConcurrency(concurrency)
                .withRetries(retries, Duration.ofMillis(500), Duration.ofSeconds(30))
                .withTimeout(Duration.ofMillis((long) (timeoutSeconds * 1000)));
        return new Opened(new OpenAiTextModel(cfg), null, null);
    }

    private static double cpuSeconds() {
        return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
    }

    private static String env(String name) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? null : v;
    }

    /** The flags that shape results, for provenance. The API key is deliberately absent. */
    private ObjectNode config(boolean served, String templateName) {
        ObjectNode c = Json.object();
        c.put("backend", served ? "openai" : "local");
        if (served) {
            c.put("base_url", baseUrl != null ? baseUrl : env("OPENAI_BASE_URL"));
            c.put("model_name", modelName);
            c.put("chat", chat);
            c.put("concurrency", concurrency);
            c.put("retries", retries);
        } else {
            c.put("model", String.valueOf(model));
            c.put("context_overflow", contextOverflow);
        }
        c.putPOJO("datasets", datasets);
        c.put("template", templateName);
        c.put("scorer", scorer);
        c.put("limit", limit);
        c.put("max_new_tokens", maxNewTokens);
        c.put("bootstrap", bootstrap);
        return c;
    }

    /** An opened model, its tokenizer (local only, for the 'tokenizer' template) and what to close. */
    record Opened(TextModel model, Tokenizer tokenizer, AutoCloseable resources) implements AutoCloseable {
        @Override
        public void close() {
            try {
                model.close();
                if (resources != null) {
                    resources.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
