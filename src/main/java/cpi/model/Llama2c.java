package cpi.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import cpi.util.UserError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;

/**
 * Imports llama2.c "legacy" checkpoints (.bin): 7 little-endian int32 (dim, hidden_dim, n_layers,
 * n_heads, n_kv_heads, vocab_size, seq_len; negative vocab = separate classifier at the end), then float32
 * weights. llama2.c rotates interleaved pairs (0,1), (2,3)...; HF rotate_half rotates (i, i + d/2). The
 * wq/wk rows are permuted per head on import (as HF's convert_llama_weights_to_hf does), which makes the
 * two conventions compute the same attention scores, so the model runs on the normal llama path and saves
 * as a HF llama checkpoint. A tokenizer.bin (or tok{vocab}.bin) next to the file is loaded as its
 * tokenizer; without one the tokenizer is null (work with token ids).
 */
final class Llama2c {
    private Llama2c() {}

    static LoadedModel load(Path file, NDManager manager) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 28) {
                throw new UserError(file + ": too small for a llama2.c checkpoint (" + size + " bytes)");
            }
            if (size > Integer.MAX_VALUE) {
                throw new UserError(file + ": llama2.c checkpoints over 2 GB are not supported; convert to HF");
            }
            MappedByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            buf.order(ByteOrder.LITTLE_ENDIAN);
            int dim = buf.getInt(0);
            int hidden = buf.getInt(4);
            int layers = buf.getInt(8);
            int heads = buf.getInt(12);
            int kvHeads = buf.getInt(16);
            int vocabRaw = buf.getInt(20);
            int seqLen = buf.getInt(24);
            boolean shared = vocabRaw > 0;
            long vocabLong = Math.abs((long) vocabRaw);
            String header = "(header dim " + dim + ", hidden " + hidden + ", layers " + layers + ", heads " + heads
                    + "/" + kvHeads + ", vocab " + vocabRaw + ", seq_len " + seqLen + ")";
            if (dim <= 0 || hidden <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || vocabLong == 0
                    || vocabLong > Integer.MAX_VALUE || seqLen <= 0 || dim % heads != 0 || heads % kvHeads != 0
                    || (dim / heads) % 2 != 0) {
                throw new UserError(file + ": not a llama2.c checkpoint " + header
                        + "; pass a llama2.c legacy .bin or a HF model directory");
            }
            int vocab = (int) vocabLong;
            int headSize = dim / heads;
            int kvDim = kvHeads * headSize;
            // In double first: a corrupt header can make the exact size overflow a long.
            double approx = 28 + 4.0 * ((double) vocab * dim + (double) layers * dim * 2
                    + (double) layers * dim * dim * 2 + (double) layers * kvDim * dim * 2
                    + (double) layers * hidden * dim * 3 + dim + (double) seqLen * headSize
                    + (shared ? 0 : (double) vocab * dim));
            if (approx > size) {
                throw new UserError(file + ": truncated llama2.c checkpoint (" + size + " bytes, the header "
                        + header + " implies " + String.format("%.0f", approx) + "); re-download it");
            }
            long floats = (long) vocab * dim + (long) layers * dim * 2 + (long) layers * dim * dim * 2
                    + (long) layers * kvDim * dim * 2 + (long) layers * hidden * dim * 3 + dim
                    + (long) seqLen * headSize + (shared ? 0 : (long) vocab * dim);
            long expected = 28 + floats * 4;
            if (size < expected) {
                throw new UserError(file + ": truncated llama2.c checkpoint (" + size + " bytes, the header implies "
                        + expected + "); re-download it");
            }
            ModelConfig cfg = ModelConfig.llama(vocab, dim, layers, heads, kvHeads, hidden, seqLen)
                    .withNormEps(1e-5).withRopeTheta(10000.0).withTiedEmbeddings(shared).withTokens(1, 2);
            FloatBuffer fb = buf.position(28).slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            NDManager m = manager.newSubManager();
            try {
                LinkedHashMap<String, NDArray> p = new LinkedHashMap<>();
                Reader r = new Reader(fb, m);
                ParamNames nm = new ParamNames(Family.LLAMA);
                NDArray embed = r.next(vocab, dim);
                NDArray[] rmsAtt = r.perLayer(layers, dim);
                NDArray[] wq = r.perLayer(layers, dim, dim);
                NDArray[] wk = r.perLayer(layers, kvDim, dim);
                NDArray[] wv = r.perLayer(layers, kvDim, dim);
                NDArray[] wo = r.perLayer(layers, dim, dim);
                NDArray[] rmsFfn = r.perLayer(layers, dim);
                NDArray[] w1 = r.perLayer(layers, hidden, dim);
                NDArray[] w2 = r.perLayer(layers, dim, hidden);
                NDArray[] w3 = r.perLayer(layers, hidden, dim);
                NDArray rmsFinal = r.next(dim);
                r.skip((long) seqLen * headSize); // freq_cis_real + freq_cis_imag (seq_len * head_size/2 each)
                NDArray cls = shared ? null : r.next(vocab, dim);
                p.put(nm.embed() + ".weight", embed);
                for (int i = 0; i < layers; i++) {
                    ParamNames.Layer l = nm.layer(i);
                    p.put(l.ln1() + ".weight", rmsAtt[i]);
                    p.put(l.q() + ".weight", interleavedToHalf(wq[i], heads, headSize, dim, m));
                    p.put(l.k() + ".weight", interleavedToHalf(wk[i], kvHeads, headSize, dim, m));
                    p.put(l.v() + ".weight", wv[i]);
                    p.put(l.o() + ".weight", wo[i]);
                    p.put(l.ln2() + ".weight", rmsFfn[i]);
                    p.put(l.gate() + ".weight", w1[i]);
                    p.put(l.up() + ".weight", w3[i]);
                    p.put(l.down() + ".weight", w2[i]);
                }
                p.put(nm.finalNorm() + ".weight", rmsFinal);
                if (cls != null) {
                    p.put(nm.lmHead() + ".weight", cls);
                }
                Transformer t = new Transformer(cfg, p, m);
                Tokenizer tok = Llama2cTokenizer.find(file, vocab).map(f -> Llama2cTokenizer.load(f, vocab))
                        .orElse(null);
                return new LoadedModel(file, cfg, t, tok, Checkpoints.fingerprint(file));
            } catch (RuntimeException e) {
                m.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reorders each head's rows from pairs (2i, 2i+1) to (i, i + d/2): view [h, d/2, 2, in] -> [h, 2, d/2, in]. */
    private static NDArray interleavedToHalf(NDArray w, int heads, int headSize, int in, NDManager m) {
        NDArray out;
        try (NDManager tmp = m.newSubManager()) {
            w.tempAttach(tmp);
            out = w.reshape(heads, headSize / 2, 2, in).transpose(0, 2, 1, 3).reshape(heads * headSize, in)
                    .duplicate();
            out.attach(m);
        }
        w.close();
        return out;
    }

    /** Sequential float reader over the weights section. */
    private static final class Reader {
        private final FloatBuffer fb;
        private final NDManager m;

        Reader(FloatBuffer fb, NDManager m) {
            this.fb = fb;
            this.m = m;
        }

        NDArray next(long... shape) {
            Shape s = new Shape(shape);
            float[] data = new float[Math.toIntExact(s.size())];
            fb.get(data);
            return m.create(data, s);
        }

        NDArray[] perLayer(int layers, long... shape) {
            NDArray[] out = new NDArray[layers];
            for (int i = 0; i < layers; i++) {
                out[i] = next(shape);
            }
            return out;
        }

        void skip(long n) {
            fb.position(Math.toIntExact(fb.position() + n));
        }
    }
}
