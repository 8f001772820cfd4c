/*
 * Vigil's hashed word 1-2 gram model scores in C: the same numbers as the NumPy code in
 * hashing.py (``decision``), without NumPy's import and its passes over the batch.
 *
 * What it computes, for each text (see hashing.py for the why of each step):
 *   - the text lower-cased (str.lower) and encoded as UTF-8 ("surrogatepass");
 *   - words: runs of bytes that are ASCII letters, digits or "_", or any byte >= 0x80;
 *   - a word's hash: h = h * BASE + byte over its bytes, modulo 2^64, plus its length;
 *   - each word's gram: SplitMix64(h); each pair of neighbouring words (a, b) of the text:
 *     SplitMix64(h_a * SALT + SplitMix64(h_b)); its column: the top ``bits`` bits;
 *   - per text, each distinct column's count c becomes log1p(c), the row is scaled to unit
 *     length, and the score is the dot product with the weights plus the intercept.
 *
 * Floating point is done in the order NumPy does it (columns ascending within a text, sums
 * from 0.0 one term at a time, the intercept added last), so the results are the same doubles;
 * tests/analysis/test_grams_c.py compares the two. Built with -ffp-contract=off so that no
 * multiply-add is fused.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BASE (0x9E3779B97F4A7C15ULL | 1ULL)
#define SALT 0xD6E8FEB86659FD93ULL
#define M1 0xBF58476D1CE4E5B9ULL
#define M2 0x94D049BB133111EBULL

static unsigned char WORD[256];

static inline uint64_t mix(uint64_t x) {
    x ^= x >> 30;
    x *= M1;
    x ^= x >> 27;
    x *= M2;
    x ^= x >> 31;
    return x;
}

typedef struct {
    uint64_t *keys;
    Py_ssize_t n, cap;
} Keys;

static int push(Keys *k, uint64_t key) {
    if (k->n == k->cap) {
        Py_ssize_t cap = k->cap ? k->cap * 2 : 4096;
        uint64_t *grown = PyMem_Realloc(k->keys, (size_t)cap * sizeof(uint64_t));
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        k->keys = grown;
        k->cap = cap;
    }
    k->keys[k->n++] = key;
    return 0;
}

/* Add the grams of one text (its lower-cased UTF-8 bytes) as keys (doc << bits | column). */
static int grams(Keys *k, const unsigned char *s, Py_ssize_t len, uint64_t doc, int bits,
                 int lower_ascii) {
    const int shift = 64 - bits;
    const uint64_t tag = doc << bits;
    uint64_t prev = 0;
    int have_prev = 0;
    Py_ssize_t i = 0;
    while (i < len) {
        if (!WORD[s[i]]) {
            i++;
            continue;
        }
        uint64_t h = 0;
        Py_ssize_t start = i;
        for (; i < len && WORD[s[i]]; i++) {
            unsigned char b = s[i];
            if (lower_ascii && b >= 'A' && b <= 'Z') b = (unsigned char)(b + 32);
            h = h * BASE + b;
        }
        h += (uint64_t)(i - start);
        uint64_t mixed = mix(h);
        if (push(k, tag | (mixed >> shift)) < 0) return -1;
        if (have_prev && push(k, tag | (mix(prev * SALT + mixed) >> shift)) < 0) return -1;
        prev = h;
        have_prev = 1;
    }
    return 0;
}

/* Sort keys ascending: least significant digit radix sort, 8 bits a pass, over the bytes
 * that vary. */
static int radix_sort(uint64_t *a, Py_ssize_t n, int key_bits) {
    if (n < 2) return 0;
    uint64_t *tmp = PyMem_Malloc((size_t)n * sizeof(uint64_t));
    if (tmp == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    uint64_t *src = a, *dst = tmp;
    for (int shift = 0; shift < key_bits; shift += 8) {
        Py_ssize_t count[257] = {0};
        for (Py_ssize_t i = 0; i < n; i++) count[((src[i] >> shift) & 0xFF) + 1]++;
        for (int d = 0; d < 256; d++) count[d + 1] += count[d];
        for (Py_ssize_t i = 0; i < n; i++) dst[count[(src[i] >> shift) & 0xFF]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != a) memcpy(a, src, (size_t)n * sizeof(uint64_t));
    PyMem_Free(tmp);
    return 0;
}

static PyObject *decision(PyObject *self, PyObject *args) {
    PyObject *texts;
    Py_buffer wbuf;
    double intercept;
    int bits;
    if (!PyArg_ParseTuple(args, "O!y*di", &PyList_Type, &texts, &wbuf, &intercept, &bits))
        return NULL;
    PyObject *out = NULL;
    Keys k = {NULL, 0, 0};
    double *norm = NULL;
    Py_ssize_t ndocs = PyList_GET_SIZE(texts);
    int doc_bits = 0;
    while (((Py_ssize_t)1 << doc_bits) < ndocs) doc_bits++;
    if (bits < 4 || bits > 40 || bits + doc_bits > 63) {
        PyErr_SetString(PyExc_ValueError, "bits out of range for this batch");
        goto done;
    }
    if (wbuf.len != (Py_ssize_t)(sizeof(double) << bits)) {
        PyErr_SetString(PyExc_ValueError, "weights must be 2**bits doubles");
        goto done;
    }
    const double *w = (const double *)wbuf.buf;
    for (Py_ssize_t d = 0; d < ndocs; d++) {
        PyObject *t = PyList_GET_ITEM(texts, d);
        if (!PyUnicode_Check(t)) {
            PyErr_SetString(PyExc_TypeError, "texts must be str");
            goto done;
        }
        int rc;
        if (PyUnicode_IS_ASCII(t)) {
            rc = grams(&k, PyUnicode_1BYTE_DATA(t), PyUnicode_GET_LENGTH(t), (uint64_t)d, bits, 1);
        } else {
            PyObject *low = PyObject_CallMethod(t, "lower", NULL);
            if (low == NULL) goto done;
            PyObject *enc = PyUnicode_AsEncodedString(low, "utf-8", "surrogatepass");
            Py_DECREF(low);
            if (enc == NULL) goto done;
            rc = grams(&k, (const unsigned char *)PyBytes_AS_STRING(enc), PyBytes_GET_SIZE(enc),
                       (uint64_t)d, bits, 0);
            Py_DECREF(enc);
        }
        if (rc < 0) goto done;
    }
    if (radix_sort(k.keys, k.n, bits + doc_bits) < 0) goto done;
    norm = PyMem_Calloc((size_t)(ndocs ? ndocs : 1), sizeof(double));
    if (norm == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    const uint64_t col_mask = ((uint64_t)1 << bits) - 1;
    /* pass 1: each text's sum of squares, columns ascending */
    for (Py_ssize_t i = 0; i < k.n;) {
        Py_ssize_t j = i + 1;
        while (j < k.n && k.keys[j] == k.keys[i]) j++;
        double v = log1p((double)(j - i));
        norm[k.keys[i] >> bits] += v * v;
        i = j;
    }
    for (Py_ssize_t d = 0; d < ndocs; d++) norm[d] = sqrt(norm[d]);
    out = PyList_New(ndocs);
    if (out == NULL) goto done;
    /* pass 2: the dot products, in the same order */
    Py_ssize_t i = 0;
    for (Py_ssize_t d = 0; d < ndocs; d++) {
        double z = 0.0;
        while (i < k.n && (Py_ssize_t)(k.keys[i] >> bits) == d) {
            Py_ssize_t j = i + 1;
            while (j < k.n && k.keys[j] == k.keys[i]) j++;
            double v = log1p((double)(j - i)) / norm[d];
            z += v * w[k.keys[i] & col_mask];
            i = j;
        }
        PyObject *f = PyFloat_FromDouble(z + intercept);
        if (f == NULL) {
            Py_CLEAR(out);
            goto done;
        }
        PyList_SET_ITEM(out, d, f);
    }
done:
    PyMem_Free(k.keys);
    PyMem_Free(norm);
    PyBuffer_Release(&wbuf);
    return out;
}

static PyMethodDef methods[] = {
    {"decision", decision, METH_VARARGS,
     "decision(texts, weights, intercept, bits) -> list of float: the model's linear score "
     "of each text (weights: a buffer of 2**bits float64)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_grams",
                                    "Hashed word 1-2 gram model scores (see hashing.py).", -1,
                                    methods};

PyMODINIT_FUNC PyInit__grams(void) {
    for (int c = 0; c < 256; c++)
        WORD[c] = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  c == '_' || c >= 0x80;
    return PyModule_Create(&module);
}
