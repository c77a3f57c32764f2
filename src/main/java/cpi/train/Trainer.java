package cpi.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import cpi.model.ParamRole;
import cpi.util.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * Supervised finetuning steps on a causal LM: masked next-token loss over response tokens, gradient
 * accumulation over token-budget micro-batches, global-norm clipping, AdamW, an LR schedule. In {@link
 * TrainMode#QK} only QUERY/KEY parameters get gradients; in {@link TrainMode#LORA} only adapters do; every
 * other parameter is left bit-identical. A step whose loss or gradient is not finite is skipped: the
 * gradients are dropped and parameters and optimizer state stay exactly as before the step (the last good
 * state).
 */
public final class Trainer implements AutoCloseable {
    private final TrainableModel model;
    private final TrainerOptions opts;
    private final LrSchedule schedule;
    private final int padId;
    private final NDManager optManager;
    private final AdamW adam;
    private final LinkedHashMap<String, NDArray> trainable = new LinkedHashMap<>();
    private final LinkedHashMap<String, LoraAdapter> adapters = new LinkedHashMap<>();
    private final Map<String, String> adapterBase = new LinkedHashMap<>();
    private long step;
    private int consecutiveFailures;
    private long skippedSteps;
    private LongPredicate faultInjector = s -> false;
    private long attempts;

    public Trainer(TrainableModel model, TrainerOptions opts, int padId) {
        cpi.util.Djl.engine();
        this.model = model;
        this.opts = opts;
        this.schedule = opts.lrSchedule();
        this.padId = padId;
        this.optManager = model.manager().newSubManager();
        this.adam = new AdamW(optManager, opts.beta1(), opts.beta2(), opts.eps(), opts.weightDecay());
        model.setDropout(opts.dropout());
        setUpTrainable();
    }

    private void setUpTrainable() {
        for (var e : model.parameters().entrySet()) {
            e.getValue().setRequiresGradient(false);
        }
        switch (opts.mode()) {
            case FULL -> trainable.putAll(model.parameters());
            case QK -> model.parameters().forEach((n, p) -> {
                ParamRole r = model.role(n);
                if (r == ParamRole.QUERY || r == ParamRole.KEY) {
                    trainable.put(n, p);
                }
            });
            case LORA -> {
                List<String> targets = opts.lora().targets();
                long i = 0;
                for (var e : model.parameters().entrySet()) {
                    String mod = model.role(e.getKey()).moduleName();
                    Shape s = e.getValue().getShape();
                    if (mod != null && targets.contains(mod) && s.dimension() == 2 && e.getKey().endsWith("weight")) {
                        LoraAdapter a = LoraAdapter.create(s.get(0), s.get(1), opts.lora(), opts.seed() * 7919 + i++,
                                optManager);
                        String base = peftName(e.getKey());
                        adapters.put(base, a);
                        adapterBase.put(base, e.getKey());
                        trainable.put(base + ".lora_A.weight", a.a());
                        trainable.put(base + ".lora_B.weight", a.b());
                        model.setAdapter(e.getKey(), a);
                    }
                }
            }
            default -> throw new IllegalStateException();
        }
        if (trainable.isEmpty()) {
            throw new cpi.util.UserError("--train " + opts.mode().name().toLowerCase() + ": no parameter to train "
                    + "(check --lora-targets against the model's projections)");
        }
        trainable.values().forEach(p -> p.setRequiresGradient(true));
    }

    /** PEFT module path of a weight: "base_model.model." + name without ".weight". */
    static String peftName(String paramName) {
        String n = paramName.endsWith(".weight") ? paramName.substring(0, paramName.length() - 7) : paramName;
        return "base_model.model." + n;
    }

    public TrainableModel model() {
        return model;
    }

    public TrainerOptions options() {
        return opts;
    }

    /** Completed updates. */
    public long step() {
        return step;
    }

    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    public long skippedSteps() {
        return skippedSteps;
    }

    /** Names of the parameters that receive updates (PEFT adapter names in LoRA mode). */
    public List<String> trainableNames() {
        return List.copyOf(trainable.keySet());
    }

    public long trainableCount() {
        return trainable.values().stream().mapToLong(NDArray::size).sum();
    }

    /** LoRA adapters by PEFT module path (empty unless LoRA). */
    public Map<String, LoraAdapter> adapters() {
        return Collections.unmodifiableMap(adapters);
    }

    /** The model parameter an adapter (PEFT module path) sits on. */
    public String adapterParameter(String peftModule) {
        return adapterBase.get(peftModule);
    }

    /**
     * Tests: make the loss of the given (0-based) call of {@link #step} non-finite, as a numerical fault would
     * (calls, not updates: a skipped call does not advance the update count).
     */
    public void setFaultInjector(LongPredicate stepHasNaN) {
        this.faultInjector = stepHasNaN == null ? s -> false : stepHasNaN;
    }

    /** One optimizer step over the batch (split into micro-batches by the token budget). */
    public StepResult step(List<TokenExample> batch) {
        if (batch.isEmpty()) {
            throw new IllegalArgumentException("empty batch");
        }
        int lossTokens = batch.stream().mapToInt(TokenExample::lossTokens).sum();
        int tokens = batch.stream().mapToInt(TokenExample::length).sum();
        double lr = schedule.lr(step);
        // Dropout masks depend on (seed, step) only: a resumed run draws the same ones.
        Engine.getInstance().setRandomSeed((int) (opts.seed() * 1_000_003L + step));
        // Similar lengths share a micro-batch (less padding); the step's loss and gradient are sums, so the
        // grouping changes only float summation order, and it is deterministic.
        List<TokenExample> byLength = new ArrayList<>(batch);
        byLength.sort(java.util.Comparator.comparingInt(TokenExample::length));
        List<List<TokenExample>> micro = MicroBatcher.split(byLength, opts.microBatchTokens());
        boolean inject = faultInjector.test(attempts++);
        try (NDManager sm = model.manager().newSubManager()) {
            // Per-micro-batch NLL sums stay on the engine; they are read back once, together with the grad
            // norm, so a step costs O(1) host syncs however many micro-batches and parameters it has.
            NDList nlls = new NDList();
            for (List<TokenExample> mb : micro) {
                try (NDManager mm = sm.newSubManager()) {
                    Batch b = Batch.of(mb, padId, mm);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray nll = nllSum(b, true);
                        NDArray scale = mm.create(inject ? Float.NaN : 1.0f / Math.max(1, lossTokens));
                        gc.backward(nll.mul(scale));
                        NDArray kept = nll.stopGradient();
                        kept.attach(sm);
                        nlls.add(kept);
                    }
                }
            }
            Map<String, NDArray> grads = new LinkedHashMap<>();
            NDList squares = new NDList();
            for (var e : trainable.entrySet()) {
                NDArray g = e.getValue().getGradient();
                g.attach(sm);
                grads.put(e.getKey(), g);
                squares.add(g.square().sum());
            }
            // One read: [sum of micro-batch NLLs, squared global grad norm]; a non-finite value in either
            // (NaN/inf anywhere in a gradient makes the sum non-finite) skips the step.
            NDArray nllTotal = NDArrays.stack(nlls).sum();
            NDArray sqTotal = squares.isEmpty() ? sm.create(0f) : NDArrays.stack(squares).sum();
            float[] totals = NDArrays.stack(new NDList(nllTotal, sqTotal)).toFloatArray();
            double loss = inject ? Double.NaN : totals[0] / Math.max(1, lossTokens);
            double norm = Math.sqrt(totals[1]);
            if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
                zeroGradients();
                consecutiveFailures++;
                skippedSteps++;
                return new StepResult(step, loss, norm, lr, tokens, lossTokens, micro.size(), true);
            }
            double clip = opts.maxGradNorm() > 0 && norm > opts.maxGradNorm() ? opts.maxGradNorm() / (norm + 1e-6) : 1.0;
            adam.update(trainable, grads, lr, clip, sm);
            zeroGradients();
            step++;
            consecutiveFailures = 0;
            return new StepResult(step, loss, norm, lr, tokens, lossTokens, micro.size(), false);
        }
    }

    private void zeroGradients() {
        for (NDArray p : trainable.values()) {
            JniUtils.zeroGrad((PtNDArray) p);
        }
    }

    /**
     * Sum over the batch of −log p(ids[t] | ids[<t]) at the positions that carry loss: a scalar, part of the
     * autograd graph when a gradient collector records. Only the rows that predict a loss token reach the
     * LM head and the log-softmax; with a large vocabulary the full [B,T,V] head, log-softmax and their
     * backward would dominate a step, and prompt and padding rows would be thrown away.
     */
    private NDArray nllSum(Batch b, boolean training) {
        if (b.rows() == null) { // nothing carries loss: a zero that still has a graph (backward needs one)
            return model.forward(b.ids(), b.mask(), training, null).sum().mul(b.ids().getManager().create(0f));
        }
        NDArray logits = model.forwardRows(b.ids(), b.mask(), training, b.rows());
        return logits.logSoftmax(-1).gather(b.targets(), -1).sum().neg();
    }

    /** Mean response-token loss of the examples without updating anything (dropout off). */
    public double evalLoss(List<TokenExample> examples) {
        double nll = 0;
        long n = 0;
        for (List<TokenExample> mb : MicroBatcher.split(examples, opts.microBatchTokens())) {
            try (NDManager mm = model.manager().newSubManager()) {
                Batch b = Batch.of(mb, padId, mm);
                nll += nllSum(b, false).getFloat();
                n += mb.stream().mapToInt(TokenExample::lossTokens).sum();
            }
        }
        return n == 0 ? Double.NaN : nll / n;
    }

    /**
     * Right-padded batch tensors, and the loss positions read off the examples on the host: rows (int64 [N])
     * are the flattened positions b·T + t − 1 that predict loss token t, targets (int64 [N, 1]) those tokens;
     * both null when no token carries loss.
     */
    record Batch(NDArray ids, NDArray mask, NDArray rows, NDArray targets) {
        static Batch of(List<TokenExample> mb, int padId, NDManager m) {
            int rows = mb.size();
            int len = mb.stream().mapToInt(TokenExample::length).max().orElse(1);
            int n = mb.stream().mapToInt(TokenExample::lossTokens).sum();
            long[] ids = new long[rows * len];
            long[] mask = new long[rows * len];
            long[] lossRows = new long[n];
            long[] targets = new long[n];
            int k = 0;
            for (int r = 0; r < rows; r++) {
                TokenExample ex = mb.get(r);
                for (int c = 0; c < len; c++) {
                    int i = r * len + c;
                    if (c < ex.length()) {
                        ids[i] = ex.ids()[c];
                        mask[i] = 1;
                        if (c > 0 && ex.lossMask()[c]) {
                            lossRows[k] = i - 1;
                            targets[k++] = ex.ids()[c];
                        }
                    } else {
                        ids[i] = padId;
                    }
                }
            }
            Shape s = new Shape(rows, len);
            NDArray idArray = m.create(ids, s);
            NDArray maskArray = m.create(mask, s);
            return n == 0 ? new Batch(idArray, maskArray, null, null)
                    : new Batch(idArray, maskArray, m.create(lossRows), m.create(targets, new Shape(n, 1)));
        }
    }

    /** Writes optimizer.safetensors, trainer_state.json and (LoRA) the adapter tensors into dir. */
    public void saveState(Path dir) throws IOException {
        adam.save(dir.resolve("optimizer.safetensors"));
        if (!adapters.isEmpty()) {
            LinkedHashMap<String, NDArray> ad = new LinkedHashMap<>();
            trainable.forEach(ad::put);
            TensorFile.write(dir.resolve("adapter_state.safetensors"), ad, Map.of("format", "pt"));
        }
        ObjectNode s = Json.object();
        s.put("step", step);
        s.put("optimizer_updates", adam.updates());
        s.put("consecutive_failures", consecutiveFailures);
        s.put("skipped_steps", skippedSteps);
        s.put("mode", opts.mode().name().toLowerCase());
        IoFaults.check("trainer_state");
        Files.writeString(dir.resolve("trainer_state.json"), Json.writePretty(s) + "\n");
    }

    /** Restores what {@link #saveState} wrote (model weights are loaded separately). */
    public void loadState(Path dir) {
        JsonNode s = Json.read(dir.resolve("trainer_state.json"));
        step = s.get("step").asLong();
        consecutiveFailures = s.path("consecutive_failures").asInt(0);
        skippedSteps = s.path("skipped_steps").asLong(0);
        adam.load(dir.resolve("optimizer.safetensors"), s.get("optimizer_updates").asLong());
        if (!adapters.isEmpty()) {
            try (NDManager tmp = optManager.newSubManager()) {
                var saved = TensorFile.read(dir.resolve("adapter_state.safetensors"), tmp);
                for (var e : trainable.entrySet()) {
                    NDArray src = saved.get(e.getKey());
                    if (src == null) {
                        throw new cpi.util.UserError(dir + ": adapter_state.safetensors lacks " + e.getKey()
                                + " (the checkpoint was written with other --lora-targets)");
                    }
                    e.getValue().set(src.toFloatArray());
                }
            }
        }
    }

    /** All trainable tensors by name (for tests and adapter export). */
    public Map<String, NDArray> trainable() {
        return Collections.unmodifiableMap(trainable);
    }

    /** Names that are model parameters left untouched by this mode. */
    public List<String> frozenNames() {
        List<String> out = new ArrayList<>();
        for (String n : model.parameters().keySet()) {
            if (!trainable.containsKey(n)) {
                out.add(n);
            }
        }
        return out;
    }

    @Override
    public void close() {
        model.clearAdapters();
        for (NDArray p : trainable.values()) {
            p.setRequiresGradient(false);
        }
        optManager.close();
    }
}
