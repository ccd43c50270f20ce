/* safetensors.h: read and write Hugging Face safetensors files.
 *
 * st_open maps DIR/model.safetensors, or every shard named by
 * DIR/model.safetensors.index.json, read-only with mmap. The StModel owns
 * the mappings and the tensor table; tensor data pointers are borrowed from
 * the mappings and live until st_close. Every error names the file and the
 * tensor or field, and what was expected. st_write writes one file from
 * caller-owned tensors (data copied out, nothing kept). */
#ifndef IMAGINE_SAFETENSORS_H
#define IMAGINE_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef enum { ST_F32 = 0, ST_F16 = 1, ST_BF16 = 2 } StDtype;

typedef struct StTensor {
    char *name;
    StDtype dtype;
    int ndim;
    int64_t shape[4];
    const void *data;
    size_t nbytes;
    const char *file; /* the shard path, borrowed from the StModel */
} StTensor;

typedef struct StModel StModel;

int st_open(const char *dir, StModel **out, Err *err);
/* Maps one safetensors file (an adapter, an optimizer state). */
int st_open_file(const char *path, StModel **out, Err *err);
void st_close(StModel *m);
int st_count(const StModel *m);
const StTensor *st_at(const StModel *m, int i);
/* NULL when absent. */
const StTensor *st_find(const StModel *m, const char *name);

size_t st_dtype_size(StDtype t);
const char *st_dtype_name(StDtype t);
/* "F32", "F16", "BF16" (also "f32", "float16", "bfloat16"...); -1 if unknown. */
int st_dtype_parse(const char *s);
/* Element i of a tensor as float. */
float st_get(const StTensor *t, size_t i);
/* Converts n floats to dtype into dst (st_dtype_size(t) * n bytes). */
void st_pack(StDtype t, const float *src, void *dst, size_t n);

/* Writes PATH (atomically) with the given tensors, in the given order. */
int st_write(const char *path, const StTensor *ts, int n, Err *err);

#endif
