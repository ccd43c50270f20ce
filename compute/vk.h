/* vk.h: the Vulkan context of the engine: instance, device choice (by name
 * substring or index; a discrete or integrated GPU first, lavapipe when
 * nothing else), one compute queue, buffers, lazily created pipelines from
 * the embedded SPIR-V (with a pipeline cache), and command recording.
 *
 * The VkCtx owns every object it creates; vk_ctx_destroy frees pipelines
 * in reverse order of creation, then the device. Buffers are owned by the
 * caller's VkBuf and freed with vk_buf_destroy (accepts a zeroed VkBuf).
 * Errors name the Vulkan call and the VkResult. */
#ifndef IMAGINE_VK_H
#define IMAGINE_VK_H

#include <stddef.h>
#include <stdint.h>
#include <vulkan/vulkan.h>

#include "err.h"

typedef struct VkCtx VkCtx;

typedef struct VkBuf {
    VkBuffer buf;
    VkDeviceMemory mem;
    void *map; /* non-NULL when host-visible (persistently mapped) */
    size_t size;
    VkBufferView view; /* the whole buffer as R32G32B32A32_UINT texels, for
                          uniform texel buffer bindings; VK_NULL_HANDLE when
                          the size is not a multiple of 16 bytes or exceeds
                          the device's texel-buffer limit */
    int sub;           /* 1: a sub-allocation of a VkArena (mem is the arena's) */
    size_t off;        /* sub: offset in the arena */
    int uncached;      /* map points at device memory the CPU reads uncached (a GPU's BAR):
                          vk_buf_download copies through a staging buffer instead */
} VkBuf;

/* A memory arena: one vkAllocateMemory, handing out buffers bound at
 * aligned offsets in it (llm.c's one block of parameters). Sub-allocated
 * VkBufs are freed with vk_buf_destroy (the memory stays the arena's) and
 * must be destroyed before the arena; vk_arena_destroy accepts a zeroed
 * VkArena. Several buffers may view the same bytes (vk_arena_view). */
typedef struct VkArena {
    VkDeviceMemory mem;
    void *map; /* non-NULL when host-visible */
    size_t size, used;
    int uncached; /* map is not HOST_CACHED (see VkBuf) */
} VkArena;

typedef struct VkPipe {
    char name[64];
    VkPipeline pipe;
    VkPipelineLayout layout;
    VkDescriptorSetLayout dsl;
    int nbind;
    uint32_t texel_mask; /* bit i: binding i is a uniform texel buffer */
} VkPipe;

/* device: NULL or "" picks the first GPU, else lavapipe; a number picks
 * that index; other text picks the first device whose name contains it. */
int vk_ctx_create(const char *device, VkCtx **out, Err *err);
void vk_ctx_destroy(VkCtx *c);
/* Lists the devices to out (one per line: index, name, type). */
int vk_list_devices(char *out, size_t cap, Err *err);

VkDevice vk_device(const VkCtx *c);
const char *vk_device_name(const VkCtx *c);
/* LANES: the width of every kernel that includes common.glsl, which reduces
 * within one subgroup. The reported subgroup size (IMAGINE_VK_LANES claims
 * another, for tests), required of those pipelines in full subgroups where
 * VK_EXT_subgroup_size_control allows, and checked at vk_ctx_create by a probe
 * kernel: a driver that ran the workgroup at another width gets that width
 * (once), any other answer fails vk_ctx_create naming what ran. */
uint32_t vk_subgroup_size(const VkCtx *c);
size_t vk_max_storage_range(const VkCtx *c);
/* Bytes a uniform texel buffer view may cover (maxTexelBufferElements x 16). */
size_t vk_max_texel_bytes(const VkCtx *c);
int vk_is_cpu(const VkCtx *c);
/* Bytes of device-local memory allocated now and at most (for bench). */
size_t vk_mem_peak(const VkCtx *c);

/* host: 1 = host-visible and mapped (inputs/outputs), 0 = device-local
 * (host-visible too when the device offers it, as integrated GPUs and
 * lavapipe do). */
int vk_buf_create(VkCtx *c, size_t size, int host, VkBuf *b, Err *err);
void vk_buf_destroy(VkCtx *c, VkBuf *b);
/* Offsets in an arena are multiples of this. */
#define VK_ARENA_ALIGN 256
size_t vk_arena_round(size_t bytes);
int vk_arena_create(VkCtx *c, size_t bytes, int host, VkArena *a, Err *err);
void vk_arena_destroy(VkCtx *c, VkArena *a);
/* The next size bytes of the arena (rounded up to VK_ARENA_ALIGN) as a buffer. */
int vk_arena_buf(VkCtx *c, VkArena *a, size_t size, VkBuf *b, Err *err);
/* A buffer over bytes [off, off + size) of the arena, already handed out. */
int vk_arena_view(VkCtx *c, VkArena *a, size_t off, size_t size, VkBuf *b, Err *err);

/* Copies bytes into a buffer at off, through a staging buffer when it is
 * not mapped. */
int vk_buf_upload(VkCtx *c, VkBuf *b, size_t off, const void *src, size_t n, Err *err);
int vk_buf_download(VkCtx *c, VkBuf *b, size_t off, void *dst, size_t n, Err *err);

/* The most bindings a pipeline may have. */
#define VK_MAX_BINDINGS 12

/* The pipeline of shader variant `name` with nbind (<= VK_MAX_BINDINGS) bindings (storage
 * buffers, except the uniform texel buffers named by bit i of texel_mask)
 * and push_bytes of push constants; created on first use, then cached. */
int vk_pipe_get(VkCtx *c, const char *name, int nbind, uint32_t texel_mask, uint32_t push_bytes, VkPipe **out, Err *err);
/* A descriptor set of pipe p bound to bufs[0..nbind) (whole buffers; a
 * texel binding uses the buffer's view). */
int vk_set_create(VkCtx *c, VkPipe *p, VkBuf *const *bufs, VkDescriptorSet *out, Err *err);

/* Command buffers: begin, record dispatches with barriers, submit and wait. */
int vk_cmd_begin(VkCtx *c, VkCommandBuffer *cb, Err *err);
void vk_cmd_dispatch(VkCommandBuffer cb, const VkPipe *p, VkDescriptorSet set, const void *push, uint32_t push_bytes,
                     uint32_t gx, uint32_t gy, uint32_t gz);
void vk_cmd_barrier(VkCommandBuffer cb);
int vk_cmd_end(VkCommandBuffer cb, Err *err);
int vk_submit_wait(VkCtx *c, VkCommandBuffer cb, Err *err);
void vk_cmd_free(VkCtx *c, VkCommandBuffer cb);

/* Timestamp queries (for the per-kernel breakdown of bench decode):
 * record with vkCmdResetQueryPool / vkCmdWriteTimestamp, read in ns. */
int vk_timer_create(VkCtx *c, uint32_t n, VkQueryPool *out, Err *err);
void vk_timer_destroy(VkCtx *c, VkQueryPool p);
int vk_timer_read(VkCtx *c, VkQueryPool p, uint32_t n, double *ns, Err *err);

/* Device memory bandwidth from buffer copies (read + write bytes / s). */
int vk_measure_bandwidth(VkCtx *c, size_t bytes, int reps, double *bytes_per_s, Err *err);

#endif
