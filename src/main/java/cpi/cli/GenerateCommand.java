package cpi.cli;

import ai.djl.ndarray.NDManager;
import cpi.model.ContextPolicy;
import cpi.model.GenerationOptions;
import cpi.model.Generator;
import cpi.model.LoadedModel;
import cpi.model.LocalTextModel;
import cpi.model.ModelLoader;
import cpi.model.Tokenizer;
import cpi.util.Djl;
import cpi.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** cpi generate: continue a prompt (text or token ids) with a local model. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Continue a prompt with a local model (HF directory or llama2.c .bin): greedy, or sampled "
                + "with temperature/top-p and a seed. Prints the text, or with --print-ids the new token ids.")
public final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "PATH",
            description = "HF model directory (config.json, model.safetensors, tokenizer.json) or a llama2.c .bin file.")
    Path model;

    static final class PromptChoice {
        @Option(names = "--prompt", paramLabel = "TEXT", description = "Prompt text (bos is prepended when the tokenizer has one).")
        String text;

        @Option(names = "--prompt-ids", paramLabel = "IDS", description = "Prompt token ids, e.g. 1,2,3 (used as given).")
        String ids;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    PromptChoice prompt;

    @Option(names = "--max-new-tokens", defaultValue = "64", description = "At most this many new tokens (default ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy (default); > 0 samples.")
    double temperature;

    @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus sampling mass in (0, 1] (default ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop when the output contains this text (repeatable; removed from the output).")
    List<String> stop = List.of();

    @Option(names = "--print-ids", description = "Print the generated token ids, space-separated, on one line.")
    boolean printIds;

    @Option(names = "--ignore-eos", description = "Do not stop at the end-of-sequence token.")
    boolean ignoreEos;

    @Option(names = "--context-overflow", defaultValue = "truncate", paramLabel = "truncate|refuse",
            description = "A prompt longer than the model's context: cut from the left with a warning (default) or refuse.")
    String contextOverflow;

    @Override
    public Integer call() {
        ContextPolicy policy = ContextPolicy.parse(contextOverflow);
        if (temperature < 0 || topP <= 0 || topP > 1 || maxNewTokens < 0) {
            throw new UserError("--temperature must be >= 0, --top-p in (0, 1], --max-new-tokens >= 0");
        }
        GenerationOptions opts = new GenerationOptions(maxNewTokens, temperature, topP, seed, stop);
        Djl.engine();
        try (NDManager manager = NDManager.newBaseManager()) {
            LoadedModel loaded = ModelLoader.load(model, manager);
            Tokenizer tok = loaded.tokenizer();
            int[] ids;
            if (prompt.ids != null) {
                ids = ModelArgs.parseIds("--prompt-ids", prompt.ids);
                if (ids.length == 0) {
                    throw new UserError("--prompt-ids: give at least one token id");
                }
            } else {
                if (tok == null) {
                    throw new UserError(model + ": this model has no tokenizer; pass --prompt-ids instead of --prompt");
                }
                ids = new LocalTextModel(loaded).promptIds(prompt.text);
                if (ids.length == 0) {
                    throw new UserError("--prompt: empty prompt and the tokenizer has no bos token");
                }
            }
            ModelArgs.checkIds("--prompt-ids", ids, loaded.config().vocabSize());
            OptionalInt eos = ignoreEos ? OptionalInt.empty() : eosOf(loaded);
            int pad = tok != null ? tok.padId() : 0;
            Generator.StopCheck check = null;
            if (!stop.isEmpty()) {
                if (tok == null) {
                    throw new UserError("--stop needs a tokenizer to read text; this model has none");
                }
                check = (row, gen) -> indexOfStop(tok.decode(gen)) >= 0;
            }
            int[] out = Generator.generate(loaded.transformer(), List.of(ids), opts, pad, eos, check, policy).get(0);
            if (printIds || tok == null) {
                if (!printIds) {
                    System.err.println("cpi: no tokenizer for this model; printing token ids");
                }
                System.out.println(ModelArgs.joinIds(out));
            } else {
                String text = tok.decode(out);
                int cut = indexOfStop(text);
                System.out.println(cut >= 0 ? text.substring(0, cut) : text);
            }
            loaded.transformer().close();
            if (tok != null) {
                tok.close();
            }
        }
        return 0;
    }

    private int indexOfStop(String text) {
        int best = -1;
        for (String s : stop) {
            int i = s.isEmpty() ? -1 : text.indexOf(s);
            if (i >= 0 && (best < 0 || i < best)) {
                best = i;
            }
        }
        return best;
    }

    /**
     * The end-of-sequence id: for a llama2.c checkpoint the bos id 1, which delimits stories and at
     * which llama2.c's run.c stops; otherwise the tokenizer's eos (none without a tokenizer).
     */
    static OptionalInt eosOf(LoadedModel loaded) {
        if (Files.isRegularFile(loaded.source())) {
            return OptionalInt.of(1);
        }
        return loaded.tokenizer() != null ? loaded.tokenizer().eosId() : OptionalInt.empty();
    }
}
