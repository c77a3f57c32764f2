/*
 * Independent C re-implementation of llama2.c `run.c` greedy decoding semantics, written for cpi to
 * cross-check tools/reference/llama2c_greedy.py (a different language, plain float loops, no BLAS).
 * Not a copy of run.c: same arithmetic semantics, own structure.
 *
 *   gcc -O2 -o /tmp/run_c_port tools/reference/run_c_port.c -lm
 *   /tmp/run_c_port ../shared/models/stories260K/stories260K.bin 80
 *
 * Prints the generated token ids (after feeding BOS = 1 at position 0) space-separated on one line;
 * stops early, without printing it, when the argmax is BOS (1), as run.c does. The stderr line says
 * whether it stopped early.
 *
 * Semantics: rmsnorm with eps 1e-5 (weight * x / sqrt(mean(x^2) + eps)); RoPE rotating interleaved
 * pairs (i, i+1) of each head with freq = 1 / 10000^((i % head_size) / head_size), angle = pos * freq
 * in float; grouped-query attention where query head h uses kv head h / (n_heads / n_kv_heads);
 * scores scaled by 1 / sqrt(head_size), softmax over positions 0..pos; SwiGLU w2(silu(w1 x) * w3 x);
 * classifier = token embedding when the header's vocab_size is positive.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int dim, hidden, layers, heads, kv_heads, vocab, seq_len, shared;
    const float *emb, *rms_att, *wq, *wk, *wv, *wo, *rms_ffn, *w1, *w2, *w3, *rms_final, *cls;
} Model;

static void die(const char *msg) { fprintf(stderr, "run_c_port: %s\n", msg); exit(1); }

/* y[r] = sum_c W[r][c] * x[c] for a row-major rows x cols matrix */
static void matvec(float *y, const float *W, const float *x, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
        const float *row = W + (size_t)r * cols;
        float acc = 0.0f;
        for (int c = 0; c < cols; c++) acc += row[c] * x[c];
        y[r] = acc;
    }
}

static void rms_normalize(float *out, const float *x, const float *weight, int n) {
    float sumsq = 0.0f;
    for (int i = 0; i < n; i++) sumsq += x[i] * x[i];
    float inv = 1.0f / sqrtf(sumsq / n + 1e-5f);
    for (int i = 0; i < n; i++) out[i] = weight[i] * (inv * x[i]);
}

/* rotate interleaved pairs of a vector holding n_heads heads of head_size values */
static void rotate_pairs(float *v, int n_heads, int head_size, int pos) {
    for (int h = 0; h < n_heads; h++) {
        float *head = v + h * head_size;
        for (int d = 0; d < head_size; d += 2) {
            float freq = 1.0f / powf(10000.0f, (float)d / (float)head_size);
            float angle = (float)pos * freq;
            float c = cosf(angle), s = sinf(angle);
            float a = head[d], b = head[d + 1];
            head[d] = a * c - b * s;
            head[d + 1] = a * s + b * c;
        }
    }
}

static Model load(const char *path, float **storage) {
    FILE *f = fopen(path, "rb");
    if (!f) die("cannot open checkpoint");
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    int header[7];
    if (fread(header, sizeof(int), 7, f) != 7) die("short header");
    long nfloats = (size - 7 * (long)sizeof(int)) / (long)sizeof(float);
    float *data = malloc(nfloats * sizeof(float));
    if (!data || fread(data, sizeof(float), nfloats, f) != (size_t)nfloats) die("short read");
    fclose(f);
    *storage = data;

    Model m;
    m.dim = header[0]; m.hidden = header[1]; m.layers = header[2]; m.heads = header[3];
    m.kv_heads = header[4]; m.shared = header[5] > 0; m.vocab = abs(header[5]); m.seq_len = header[6];
    long hs = m.dim / m.heads, kv_dim = m.kv_heads * hs, L = m.layers, D = m.dim, Hd = m.hidden;
    const float *p = data;
    m.emb = p;       p += (long)m.vocab * D;
    m.rms_att = p;   p += L * D;
    m.wq = p;        p += L * D * D;
    m.wk = p;        p += L * kv_dim * D;
    m.wv = p;        p += L * kv_dim * D;
    m.wo = p;        p += L * D * D;
    m.rms_ffn = p;   p += L * D;
    m.w1 = p;        p += L * Hd * D;
    m.w2 = p;        p += L * D * Hd;
    m.w3 = p;        p += L * Hd * D;
    m.rms_final = p; p += D;
    p += 2 * (long)m.seq_len * hs / 2;      /* freq_cis_real, freq_cis_imag: not used */
    if (m.shared) m.cls = m.emb;
    else { m.cls = p; p += (long)m.vocab * D; }
    if (p - data != nfloats) die("file size does not match the header");
    return m;
}

int main(int argc, char **argv) {
    if (argc < 2) die("usage: run_c_port CHECKPOINT [MAX_NEW_TOKENS]");
    int max_new = argc > 2 ? atoi(argv[2]) : 80;
    float *storage;
    Model m = load(argv[1], &storage);
    int D = m.dim, hs = m.dim / m.heads, kv_dim = m.kv_heads * hs, group = m.heads / m.kv_heads;
    if (max_new > m.seq_len) max_new = m.seq_len;

    float *x = calloc(D, sizeof(float)), *xn = calloc(D, sizeof(float)), *q = calloc(D, sizeof(float));
    float *k = calloc(kv_dim, sizeof(float)), *v = calloc(kv_dim, sizeof(float));
    float *attn_out = calloc(D, sizeof(float)), *proj = calloc(D, sizeof(float));
    float *gate = calloc(m.hidden, sizeof(float)), *up = calloc(m.hidden, sizeof(float));
    float *scores = calloc(m.seq_len, sizeof(float)), *logits = calloc(m.vocab, sizeof(float));
    float *kcache = calloc((size_t)m.layers * m.seq_len * kv_dim, sizeof(float));
    float *vcache = calloc((size_t)m.layers * m.seq_len * kv_dim, sizeof(float));

    int token = 1, stopped = 0, produced = 0;
    for (int pos = 0; pos < max_new; pos++) {
        memcpy(x, m.emb + (size_t)token * D, D * sizeof(float));
        for (int l = 0; l < m.layers; l++) {
            rms_normalize(xn, x, m.rms_att + (size_t)l * D, D);
            matvec(q, m.wq + (size_t)l * D * D, xn, D, D);
            matvec(k, m.wk + (size_t)l * kv_dim * D, xn, kv_dim, D);
            matvec(v, m.wv + (size_t)l * kv_dim * D, xn, kv_dim, D);
            rotate_pairs(q, m.heads, hs, pos);
            rotate_pairs(k, m.kv_heads, hs, pos);
            float *kl = kcache + (size_t)l * m.seq_len * kv_dim, *vl = vcache + (size_t)l * m.seq_len * kv_dim;
            memcpy(kl + (size_t)pos * kv_dim, k, kv_dim * sizeof(float));
            memcpy(vl + (size_t)pos * kv_dim, v, kv_dim * sizeof(float));

            for (int h = 0; h < m.heads; h++) {
                const float *qh = q + h * hs;
                int kvh = h / group;
                float best = -INFINITY;
                for (int t = 0; t <= pos; t++) {
                    const float *kt = kl + (size_t)t * kv_dim + kvh * hs;
                    float dot = 0.0f;
                    for (int i = 0; i < hs; i++) dot += qh[i] * kt[i];
                    scores[t] = dot / sqrtf((float)hs);
                    if (scores[t] > best) best = scores[t];
                }
                float total = 0.0f;
                for (int t = 0; t <= pos; t++) { scores[t] = expf(scores[t] - best); total += scores[t]; }
                for (int t = 0; t <= pos; t++) scores[t] /= total;
                float *oh = attn_out + h * hs;
                for (int i = 0; i < hs; i++) oh[i] = 0.0f;
                for (int t = 0; t <= pos; t++) {
                    const float *vt = vl + (size_t)t * kv_dim + kvh * hs;
                    for (int i = 0; i < hs; i++) oh[i] += scores[t] * vt[i];
                }
            }
            matvec(proj, m.wo + (size_t)l * D * D, attn_out, D, D);
            for (int i = 0; i < D; i++) x[i] += proj[i];

            rms_normalize(xn, x, m.rms_ffn + (size_t)l * D, D);
            matvec(gate, m.w1 + (size_t)l * m.hidden * D, xn, m.hidden, D);
            matvec(up, m.w3 + (size_t)l * m.hidden * D, xn, m.hidden, D);
            for (int i = 0; i < m.hidden; i++) gate[i] = gate[i] * (1.0f / (1.0f + expf(-gate[i]))) * up[i];
            matvec(proj, m.w2 + (size_t)l * D * m.hidden, gate, D, m.hidden);
            for (int i = 0; i < D; i++) x[i] += proj[i];
        }
        rms_normalize(xn, x, m.rms_final, D);
        matvec(logits, m.cls, xn, m.vocab, D);

        int next = 0;
        for (int i = 1; i < m.vocab; i++) if (logits[i] > logits[next]) next = i;  /* first maximum */
        if (next == 1) { stopped = 1; break; }
        printf(produced ? " %d" : "%d", next);
        produced++;
        token = next;
    }
    printf("\n");
    fprintf(stderr, "run_c_port: %d tokens, stopped at BOS: %s\n", produced, stopped ? "yes" : "no");
    free(storage); free(x); free(xn); free(q); free(k); free(v); free(attn_out); free(proj);
    free(gate); free(up); free(scores); free(logits); free(kcache); free(vcache);
    return 0;
}
