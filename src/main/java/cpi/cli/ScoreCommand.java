package cpi.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.model.ContextPolicy;
import cpi.model.LoadedModel;
import cpi.model.LocalTextModel;
import cpi.model.ModelLoader;
import cpi.model.Scoring;
import cpi.model.Tokenizer;
import cpi.util.Djl;
import cpi.util.Json;
import cpi.util.UserError;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** cpi score: log-likelihood of a continuation given a prompt, per token and summed. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Log-likelihood of a continuation given a prompt: per token and the sum (natural log). "
                + "The continuation is tokenized in context, after the prompt.")
public final class ScoreCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "PATH", description = "HF model directory or llama2.c .bin file.")
    Path model;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "Prompt text (bos prepended when the tokenizer has one).")
    String prompt;

    @Option(names = "--continuation", paramLabel = "TEXT", description = "Continuation text (a leading space belongs to it).")
    String continuation;

    @Option(names = "--prompt-ids", paramLabel = "IDS", description = "Prompt token ids instead of text (used as given).")
    String promptIds;

    @Option(names = "--continuation-ids", paramLabel = "IDS", description = "Continuation token ids instead of text.")
    String continuationIds;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Option(names = "--context-overflow", defaultValue = "truncate", paramLabel = "truncate|refuse",
            description = "A prompt longer than the model's context: cut from the left with a warning (default) or refuse.")
    String contextOverflow;

    @Override
    public Integer call() {
        ContextPolicy policy = ContextPolicy.parse(contextOverflow);
        boolean ids = promptIds != null || continuationIds != null;
        boolean text = prompt != null || continuation != null;
        if (ids == text || (ids && (promptIds == null || continuationIds == null))
                || (text && (prompt == null || continuation == null))) {
            throw new UserError("give --prompt and --continuation (text), or --prompt-ids and --continuation-ids");
        }
        Djl.engine();
        try (NDManager manager = NDManager.newBaseManager()) {
            LoadedModel loaded = ModelLoader.load(model, manager);
            Tokenizer tok = loaded.tokenizer();
            int[] ctx;
            int[] cont;
            if (ids) {
                ctx = ModelArgs.parseIds("--prompt-ids", promptIds);
                cont = ModelArgs.parseIds("--continuation-ids", continuationIds);
                if (ctx.length == 0) {
                    throw new UserError("--prompt-ids: give at least one token id (e.g. the bos id)");
                }
            } else {
                if (tok == null) {
                    throw new UserError(model + ": this model has no tokenizer; pass --prompt-ids and --continuation-ids");
                }
                LocalTextModel lm = new LocalTextModel(loaded);
                int[][] split = lm.splitInContextIds(prompt, continuation);
                ctx = split[0];
                cont = split[1];
            }
            ModelArgs.checkIds("--prompt-ids", ctx, loaded.config().vocabSize());
            ModelArgs.checkIds("--continuation-ids", cont, loaded.config().vocabSize());
            double[] lp = Scoring.continuationLogProbs(loaded.transformer(), List.of(ctx), List.of(cont),
                    Scoring.DEFAULT_BATCH_TOKENS, policy)[0];
            double sum = Scoring.sums(new double[][] {lp})[0];
            if (json) {
                ObjectNode o = Json.object();
                o.put("model", loaded.fingerprint());
                o.put("sum_logprob", sum);
                ArrayNode arr = o.putArray("tokens");
                for (int j = 0; j < cont.length; j++) {
                    ObjectNode t = arr.addObject();
                    t.put("id", cont[j]);
                    if (tok != null) {
                        t.put("text", tok.decode(new int[] {cont[j]}));
                    }
                    t.put("logprob", lp[j]);
                }
                System.out.println(Json.write(o));
            } else {
                System.out.printf(Locale.ROOT, "%-8s %-16s %s%n", "id", "token", "logprob");
                for (int j = 0; j < cont.length; j++) {
                    String piece = tok == null ? "" : Json.write(tok.decode(new int[] {cont[j]}));
                    System.out.printf(Locale.ROOT, "%-8d %-16s %.6f%n", cont[j], piece, lp[j]);
                }
                System.out.printf(Locale.ROOT, "sum logprob: %.6f over %d tokens%n", sum, cont.length);
            }
            loaded.transformer().close();
            if (tok != null) {
                tok.close();
            }
        }
        return 0;
    }
}
