/* vk.c: Vulkan instance, device, memory, pipelines and command buffers.
 * Sections in the order they are used: device choice, context, buffers,
 * pipelines, commands. Library code: no printing, errors through Err. */
#include "vk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shaders.h"

/* lavapipe runs shaders on worker threads that it creates while the
 * instance enumerates devices and the device is made; they should flush
 * subnormals (lavapipe sets neither FTZ nor DAZ and offers no shader float
 * controls): on Qwen3-0.6B's shape the LM head's dX and dW, over a softmax
 * whose tail reaches below 1.2e-38, ran 2.5-4.5x slower than at 2 layers.
 * So vk_ctx_create flushes around its Vulkan calls (fpenv.h), the threads
 * inherit it, and the caller's own setting comes back. Elsewhere than x86
 * the kernels' ftz() (common.glsl) is what flushes. */
#include "fpenv.h"

#define VKCHECK(call, what)                                                                  \
    do {                                                                                     \
        VkResult r_ = (call);                                                                \
        if (r_ != VK_SUCCESS) return err_set(err, IM_IO, "Vulkan: %s failed (VkResult %d)", what, (int)r_); \
    } while (0)

struct VkCtx {
    VkInstance inst;
    VkPhysicalDevice phys;
    VkDevice dev;
    VkQueue queue;
    uint32_t qfam;
    VkCommandPool pool;
    VkDescriptorPool dpool;
    VkPipelineCache cache;
    VkFence fence;
    VkPhysicalDeviceProperties props;
    VkPhysicalDeviceMemoryProperties mem;
    uint32_t subgroup;  /* LANES: the width of every common.glsl workgroup, checked to be one subgroup */
    int size_control;   /* LANES-wide pipelines require subgroup size = LANES, in full subgroups (VK_EXT_subgroup_size_control) */
    uint32_t sg_min, sg_max; /* the sizes a pipeline may require, when size_control */
    VkPipe *pipes[128];
    int npipes;
    size_t mem_now, mem_peak;
};

VkDevice vk_device(const VkCtx *c) { return c->dev; }
const char *vk_device_name(const VkCtx *c) { return c->props.deviceName; }
uint32_t vk_subgroup_size(const VkCtx *c) { return c->subgroup; }
size_t vk_max_storage_range(const VkCtx *c) { return c->props.limits.maxStorageBufferRange; }
int vk_is_cpu(const VkCtx *c) { return c->props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU; }
size_t vk_max_texel_bytes(const VkCtx *c) { return (size_t)c->props.limits.maxTexelBufferElements * 16; }
size_t vk_mem_peak(const VkCtx *c) { return c->mem_peak; }

static int make_instance(VkInstance *inst, Err *err) {
    VkApplicationInfo app = {.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO, .pApplicationName = "imagine", .apiVersion = VK_API_VERSION_1_1};
    VkInstanceCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO, .pApplicationInfo = &app};
    VKCHECK(vkCreateInstance(&ci, NULL, inst), "vkCreateInstance (is a Vulkan driver installed? mesa-vulkan-drivers gives lavapipe)");
    return IM_OK;
}

static int type_rank(VkPhysicalDeviceType t) {
    return t == VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU ? 0 : t == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU ? 1 : t == VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU ? 2 : t == VK_PHYSICAL_DEVICE_TYPE_CPU ? 3 : 4;
}

int vk_list_devices(char *out, size_t cap, Err *err) {
    VkInstance inst;
    int rc = make_instance(&inst, err);
    if (rc) return rc;
    uint32_t n = 0;
    vkEnumeratePhysicalDevices(inst, &n, NULL);
    VkPhysicalDevice *pd = calloc(n ? n : 1, sizeof *pd);
    vkEnumeratePhysicalDevices(inst, &n, pd);
    size_t len = 0;
    out[0] = 0;
    static const char *types[] = {"other", "integrated GPU", "discrete GPU", "virtual GPU", "CPU"};
    for (uint32_t i = 0; i < n && len < cap; i++) {
        VkPhysicalDeviceProperties p;
        vkGetPhysicalDeviceProperties(pd[i], &p);
        len += (size_t)snprintf(out + len, cap - len, "%u  %s  (%s)\n", i, p.deviceName, types[p.deviceType <= 4 ? p.deviceType : 0]);
    }
    free(pd);
    vkDestroyInstance(inst, NULL);
    return IM_OK;
}

static int pick_device(VkCtx *c, const char *want, Err *err) {
    uint32_t n = 0;
    VKCHECK(vkEnumeratePhysicalDevices(c->inst, &n, NULL), "vkEnumeratePhysicalDevices");
    if (!n) return err_set(err, IM_IO, "Vulkan: no devices (install mesa-vulkan-drivers for lavapipe)");
    VkPhysicalDevice *pd = calloc(n, sizeof *pd);
    vkEnumeratePhysicalDevices(c->inst, &n, pd);
    int best = -1;
    char *end = NULL;
    long idx = want && *want ? strtol(want, &end, 10) : -1;
    for (uint32_t i = 0; i < n; i++) {
        VkPhysicalDeviceProperties p;
        vkGetPhysicalDeviceProperties(pd[i], &p);
        if (want && *want) {
            if ((end && !*end && idx == (long)i) || ((!end || *end) && strstr(p.deviceName, want))) {
                best = (int)i;
                break;
            }
        } else if (best < 0) best = (int)i;
        else {
            VkPhysicalDeviceProperties b;
            vkGetPhysicalDeviceProperties(pd[best], &b);
            if (type_rank(p.deviceType) < type_rank(b.deviceType)) best = (int)i;
        }
    }
    if (best < 0) {
        free(pd);
        return err_set(err, IM_USAGE, "--device %s: no such Vulkan device (see `vulkaninfo --summary`; give a name substring or an index 0..%u)", want, n - 1);
    }
    c->phys = pd[best];
    free(pd);
    return IM_OK;
}

/* ---- the workgroup width (LANES) ---- */

/* Whether pipelines can require a subgroup size of LANES in full subgroups:
 * the extension, both of its features, compute among its stages and LANES in
 * the device's range. min and max are the range (0 when unusable). */
static int size_control_usable(VkCtx *c) {
    uint32_t n = 0, have = 0;
    vkEnumerateDeviceExtensionProperties(c->phys, NULL, &n, NULL);
    VkExtensionProperties *e = calloc(n ? n : 1, sizeof *e);
    vkEnumerateDeviceExtensionProperties(c->phys, NULL, &n, e);
    for (uint32_t i = 0; i < n; i++) have |= !strcmp(e[i].extensionName, VK_EXT_SUBGROUP_SIZE_CONTROL_EXTENSION_NAME);
    free(e);
    if (!have) return 0;
    VkPhysicalDeviceSubgroupSizeControlPropertiesEXT sp = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_SIZE_CONTROL_PROPERTIES_EXT};
    VkPhysicalDeviceProperties2 p2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = &sp};
    vkGetPhysicalDeviceProperties2(c->phys, &p2);
    VkPhysicalDeviceSubgroupSizeControlFeaturesEXT sf = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_SIZE_CONTROL_FEATURES_EXT};
    VkPhysicalDeviceFeatures2 f2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, .pNext = &sf};
    vkGetPhysicalDeviceFeatures2(c->phys, &f2);
    if (!sf.subgroupSizeControl || !sf.computeFullSubgroups || !(sp.requiredSubgroupSizeStages & VK_SHADER_STAGE_COMPUTE_BIT)) return 0;
    c->sg_min = sp.minSubgroupSize, c->sg_max = sp.maxSubgroupSize;
    return 1;
}

/* Whether a SPIR-V module declares specialization constant 0: only
 * common.glsl does, as its workgroup width, so these are the LANES-wide
 * kernels (OpDecorate %x SpecId 0: opcode 71, decoration 1). */
static int lanes_wide(const ShaderBlob *sb) {
    for (size_t i = 5; i + 3 < sb->count; i += sb->words[i] >> 16 ? sb->words[i] >> 16 : 1)
        if (sb->words[i] == (4u << 16 | 71u) && sb->words[i + 2] == 1 && sb->words[i + 3] == 0) return 1;
    return 0;
}

static void drop_pipes(VkCtx *c) {
    for (int i = c->npipes - 1; i >= 0; i--) {
        VkPipe *p = c->pipes[i];
        vkDestroyPipeline(c->dev, p->pipe, NULL);
        vkDestroyPipelineLayout(c->dev, p->layout, NULL);
        vkDestroyDescriptorSetLayout(c->dev, p->dsl, NULL);
        free(p);
    }
    c->npipes = 0;
}

/* Dispatches probe.comp once: out[i] = (subgroupAdd(1), gl_NumSubgroups,
 * gl_SubgroupSize, gl_SubgroupID) of invocation i of one workgroup. */
static int run_probe(VkCtx *c, uint32_t (*out)[4], Err *err) {
    VkPipe *p = NULL;
    VkBuf b = {0};
    VkCommandBuffer cb = VK_NULL_HANDLE;
    VkDescriptorSet set;
    int rc = vk_pipe_get(c, "probe", 1, 0, 0, &p, err);
    if (!rc) rc = vk_buf_create(c, (size_t)c->subgroup * 16, 1, &b, err);
    if (!rc) rc = vk_set_create(c, p, (VkBuf *const[]){&b}, &set, err);
    if (!rc) rc = vk_cmd_begin(c, &cb, err);
    if (!rc) {
        vk_cmd_dispatch(cb, p, set, NULL, 0, 1, 1, 1);
        vk_cmd_barrier(cb);
        rc = vk_cmd_end(cb, err);
    }
    if (!rc) rc = vk_submit_wait(c, cb, err);
    if (!rc) rc = vk_buf_download(c, &b, 0, out, (size_t)c->subgroup * 16, err);
    vk_cmd_free(c, cb);
    vk_buf_destroy(c, &b);
    return rc;
}

/* Every kernel that includes common.glsl reduces within one subgroup and
 * assumes its LANES-wide workgroup is exactly that subgroup. Checked here
 * once per context: every invocation must see LANES lanes in one subgroup
 * of size LANES. A driver that ran it at another width s on which all
 * invocations agree (a reported size the compiler did not use) gets LANES
 * = s and one more probe; anything else is refused, naming what ran. */
static int check_lanes(VkCtx *c, Err *err) {
    uint32_t reported = c->subgroup;
    for (int attempt = 0;; attempt++) {
        uint32_t(*o)[4] = calloc(c->subgroup, sizeof *o);
        int rc = o ? run_probe(c, o, err) : err_set(err, IM_IO, "out of memory");
        uint32_t bad = UINT32_MAX, size = rc ? 0 : o[0][2], agree = 1;
        for (uint32_t i = 0; !rc && i < c->subgroup; i++) {
            if (bad == UINT32_MAX && (o[i][0] != c->subgroup || o[i][1] != 1 || o[i][2] != c->subgroup)) bad = i;
            agree &= o[i][2] == size;
        }
        uint32_t seen[3] = {rc ? 0 : o[bad == UINT32_MAX ? 0 : bad][0], rc ? 0 : o[bad == UINT32_MAX ? 0 : bad][1], size};
        free(o);
        if (rc || bad == UINT32_MAX) return rc;
        if (attempt == 0 && agree && size >= 4 && size <= 64 && size != c->subgroup) {
            drop_pipes(c); /* specialised for the old width */
            c->subgroup = size;
            c->size_control = c->size_control && size >= c->sg_min && size <= c->sg_max;
            continue;
        }
        return err_set(err, IM_IO,
                       "Vulkan: device %s runs a %u-wide workgroup not as one subgroup (invocation %u saw %u active lanes in %u subgroups of %u; reported "
                       "subgroup size %u, size control %s): the kernels reduce within one subgroup per workgroup and would give wrong results",
                       c->props.deviceName, c->subgroup, bad, seen[0], seen[1], seen[2], reported, c->size_control ? "on" : "unavailable");
    }
}

static int ctx_create(const char *device, VkCtx **out, Err *err);

int vk_ctx_create(const char *device, VkCtx **out, Err *err) {
    unsigned saved = fp_flush_begin();
    int rc = ctx_create(device, out, err);
    fp_flush_end(saved);
    return rc;
}

static int ctx_create(const char *device, VkCtx **out, Err *err) {
    *out = NULL;
    VkCtx *c = calloc(1, sizeof *c);
    int rc = make_instance(&c->inst, err);
    if (!rc) rc = pick_device(c, device, err);
    if (rc) {
        vk_ctx_destroy(c);
        return rc;
    }
    vkGetPhysicalDeviceProperties(c->phys, &c->props);
    vkGetPhysicalDeviceMemoryProperties(c->phys, &c->mem);
    VkPhysicalDeviceSubgroupProperties sp = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
    VkPhysicalDeviceProperties2 p2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = &sp};
    vkGetPhysicalDeviceProperties2(c->phys, &p2);
    c->subgroup = sp.subgroupSize ? sp.subgroupSize : 32;
    if (c->subgroup > 64) c->subgroup = 64;
    const char *lanes_env = getenv("IMAGINE_VK_LANES"); /* a driver that reports a wrong size, for tests */
    if (lanes_env && atoi(lanes_env) > 0) c->subgroup = (uint32_t)atoi(lanes_env);
    if (!(sp.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) || !(sp.supportedOperations & VK_SUBGROUP_FEATURE_ARITHMETIC_BIT)) {
        err_set(err, IM_IO, "Vulkan: device %s lacks subgroup arithmetic in compute shaders", c->props.deviceName);
        vk_ctx_destroy(c);
        return IM_IO;
    }
    int want_control = size_control_usable(c);
    if (want_control && (c->subgroup < c->sg_min || c->subgroup > c->sg_max)) want_control = 0, c->sg_min = c->sg_max = 0;
    uint32_t nq = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(c->phys, &nq, NULL);
    VkQueueFamilyProperties *qp = calloc(nq ? nq : 1, sizeof *qp);
    vkGetPhysicalDeviceQueueFamilyProperties(c->phys, &nq, qp);
    c->qfam = UINT32_MAX;
    for (uint32_t i = 0; i < nq; i++)
        if (qp[i].queueFlags & VK_QUEUE_COMPUTE_BIT) {
            c->qfam = i;
            break;
        }
    free(qp);
    if (c->qfam == UINT32_MAX) {
        err_set(err, IM_IO, "Vulkan: device %s has no compute queue", c->props.deviceName);
        vk_ctx_destroy(c);
        return IM_IO;
    }
    float prio = 1.0f;
    VkDeviceQueueCreateInfo qci = {.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO, .queueFamilyIndex = c->qfam, .queueCount = 1, .pQueuePriorities = &prio};
    VkPhysicalDeviceSubgroupSizeControlFeaturesEXT scf = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_SIZE_CONTROL_FEATURES_EXT,
                                                           .subgroupSizeControl = VK_TRUE, .computeFullSubgroups = VK_TRUE};
    const char *ext[1] = {VK_EXT_SUBGROUP_SIZE_CONTROL_EXTENSION_NAME};
    VkDeviceCreateInfo dci = {.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO, .pNext = want_control ? &scf : NULL, .queueCreateInfoCount = 1, .pQueueCreateInfos = &qci,
                              .enabledExtensionCount = want_control ? 1u : 0u, .ppEnabledExtensionNames = ext};
    VkResult r = vkCreateDevice(c->phys, &dci, NULL, &c->dev);
    c->size_control = want_control;
    if (r == VK_SUCCESS) {
        vkGetDeviceQueue(c->dev, c->qfam, 0, &c->queue);
        VkCommandPoolCreateInfo pci = {.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO, .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT, .queueFamilyIndex = c->qfam};
        r = vkCreateCommandPool(c->dev, &pci, NULL, &c->pool);
    }
    if (r == VK_SUCCESS) {
        VkDescriptorPoolSize ps[2] = {{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 65536}, {VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, 65536}};
        VkDescriptorPoolCreateInfo dp = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO, .maxSets = 16384, .poolSizeCount = 2, .pPoolSizes = ps};
        r = vkCreateDescriptorPool(c->dev, &dp, NULL, &c->dpool);
    }
    if (r == VK_SUCCESS) {
        VkPipelineCacheCreateInfo pc = {.sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO};
        r = vkCreatePipelineCache(c->dev, &pc, NULL, &c->cache);
    }
    if (r == VK_SUCCESS) {
        VkFenceCreateInfo fi = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
        r = vkCreateFence(c->dev, &fi, NULL, &c->fence);
    }
    if (r != VK_SUCCESS) {
        err_set(err, IM_IO, "Vulkan: creating the device %s failed (VkResult %d)", c->props.deviceName, (int)r);
        vk_ctx_destroy(c);
        return IM_IO;
    }
    if ((rc = check_lanes(c, err))) {
        vk_ctx_destroy(c);
        return rc;
    }
    *out = c;
    return IM_OK;
}

void vk_ctx_destroy(VkCtx *c) {
    if (!c) return;
    if (c->dev) {
        vkDeviceWaitIdle(c->dev);
        drop_pipes(c);
        if (c->fence) vkDestroyFence(c->dev, c->fence, NULL);
        if (c->cache) vkDestroyPipelineCache(c->dev, c->cache, NULL);
        if (c->dpool) vkDestroyDescriptorPool(c->dev, c->dpool, NULL);
        if (c->pool) vkDestroyCommandPool(c->dev, c->pool, NULL);
        vkDestroyDevice(c->dev, NULL);
    }
    if (c->inst) vkDestroyInstance(c->inst, NULL);
    free(c);
}

/* ---- buffers ---- */

static int find_mem(const VkCtx *c, uint32_t bits, VkMemoryPropertyFlags want) {
    for (uint32_t i = 0; i < c->mem.memoryTypeCount; i++)
        if ((bits & (1u << i)) && (c->mem.memoryTypes[i].propertyFlags & want) == want) return (int)i;
    return -1;
}

/* The memory type of a buffer or arena: with host, host-visible and cached
 * first, for what the CPU reads back (reads of a GPU's mapped device-local
 * memory cross the bus one by one: 590 KB of gradient-norm partials took
 * 158 ms on an H200); else device-local and mappable first, then any
 * device-local, then any. */
static int mem_type(const VkCtx *c, uint32_t bits, int host) {
    const VkMemoryPropertyFlags HV = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    int t = host ? find_mem(c, bits, HV | VK_MEMORY_PROPERTY_HOST_CACHED_BIT) : find_mem(c, bits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | HV);
    if (t < 0 && host) t = find_mem(c, bits, HV);
    if (t < 0) t = find_mem(c, bits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
    if (t < 0) t = find_mem(c, bits, 0);
    return t;
}

int vk_buf_create(VkCtx *c, size_t size, int host, VkBuf *b, Err *err) {
    memset(b, 0, sizeof *b);
    if (!size) size = 16;
    VkBufferCreateInfo bi = {.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .size = size,
                             .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                      VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                             .sharingMode = VK_SHARING_MODE_EXCLUSIVE};
    VKCHECK(vkCreateBuffer(c->dev, &bi, NULL, &b->buf), "vkCreateBuffer");
    VkMemoryRequirements mr;
    vkGetBufferMemoryRequirements(c->dev, b->buf, &mr);
    int t = mem_type(c, mr.memoryTypeBits, host);
    VkMemoryAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, .allocationSize = mr.size, .memoryTypeIndex = (uint32_t)t};
    VkResult r = vkAllocateMemory(c->dev, &ai, NULL, &b->mem);
    if (r != VK_SUCCESS) {
        vkDestroyBuffer(c->dev, b->buf, NULL);
        memset(b, 0, sizeof *b);
        return err_set(err, IM_IO, "Vulkan: allocating %zu bytes of device memory failed (VkResult %d)", size, (int)r);
    }
    vkBindBufferMemory(c->dev, b->buf, b->mem, 0);
    b->size = size;
    if (c->mem.memoryTypes[t].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) VKCHECK(vkMapMemory(c->dev, b->mem, 0, VK_WHOLE_SIZE, 0, &b->map), "vkMapMemory");
    b->uncached = b->map && !(c->mem.memoryTypes[t].propertyFlags & VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
    if (size % 16 == 0 && size <= vk_max_texel_bytes(c)) {
        VkBufferViewCreateInfo vi = {.sType = VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO, .buffer = b->buf, .format = VK_FORMAT_R32G32B32A32_UINT, .range = VK_WHOLE_SIZE};
        if (vkCreateBufferView(c->dev, &vi, NULL, &b->view) != VK_SUCCESS) b->view = VK_NULL_HANDLE; /* then only storage bindings work */
    }
    c->mem_now += mr.size;
    if (c->mem_now > c->mem_peak) c->mem_peak = c->mem_now;
    return IM_OK;
}

static VkBufferUsageFlags buf_usage(void) {
    return VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
           VK_BUFFER_USAGE_TRANSFER_DST_BIT;
}

size_t vk_arena_round(size_t bytes) { return (bytes + VK_ARENA_ALIGN - 1) / VK_ARENA_ALIGN * VK_ARENA_ALIGN; }

int vk_arena_create(VkCtx *c, size_t bytes, int host, VkArena *a, Err *err) {
    memset(a, 0, sizeof *a);
    if (!bytes) bytes = VK_ARENA_ALIGN;
    /* a probe buffer tells which memory types buffers may live in */
    VkBufferCreateInfo bi = {.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .size = 256, .usage = buf_usage(), .sharingMode = VK_SHARING_MODE_EXCLUSIVE};
    VkBuffer probe;
    VKCHECK(vkCreateBuffer(c->dev, &bi, NULL, &probe), "vkCreateBuffer");
    VkMemoryRequirements mr;
    vkGetBufferMemoryRequirements(c->dev, probe, &mr);
    vkDestroyBuffer(c->dev, probe, NULL);
    if (mr.alignment > VK_ARENA_ALIGN) return err_set(err, IM_IO, "Vulkan: buffers need %zu-byte alignment, the arena gives %d", (size_t)mr.alignment, VK_ARENA_ALIGN);
    int t = mem_type(c, mr.memoryTypeBits, host);
    VkMemoryAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, .allocationSize = vk_arena_round(bytes), .memoryTypeIndex = (uint32_t)t};
    VkResult r = vkAllocateMemory(c->dev, &ai, NULL, &a->mem);
    if (r != VK_SUCCESS) {
        memset(a, 0, sizeof *a);
        return err_set(err, IM_IO, "Vulkan: allocating an arena of %zu bytes failed (VkResult %d)", bytes, (int)r);
    }
    a->size = ai.allocationSize;
    if (c->mem.memoryTypes[t].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) VKCHECK(vkMapMemory(c->dev, a->mem, 0, VK_WHOLE_SIZE, 0, &a->map), "vkMapMemory");
    a->uncached = a->map && !(c->mem.memoryTypes[t].propertyFlags & VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
    c->mem_now += a->size;
    if (c->mem_now > c->mem_peak) c->mem_peak = c->mem_now;
    return IM_OK;
}

void vk_arena_destroy(VkCtx *c, VkArena *a) {
    if (!c || !a || !a->mem) return;
    if (a->map) vkUnmapMemory(c->dev, a->mem);
    vkFreeMemory(c->dev, a->mem, NULL);
    c->mem_now -= a->size;
    memset(a, 0, sizeof *a);
}

int vk_arena_view(VkCtx *c, VkArena *a, size_t off, size_t size, VkBuf *b, Err *err) {
    memset(b, 0, sizeof *b);
    if (!size) size = 16;
    if (off % VK_ARENA_ALIGN || off + size > a->size)
        return err_set(err, IM_IO, "Vulkan arena: a view of %zu bytes at %zu does not fit an arena of %zu bytes", size, off, a->size);
    VkBufferCreateInfo bi = {.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .size = size, .usage = buf_usage(), .sharingMode = VK_SHARING_MODE_EXCLUSIVE};
    VKCHECK(vkCreateBuffer(c->dev, &bi, NULL, &b->buf), "vkCreateBuffer");
    VKCHECK(vkBindBufferMemory(c->dev, b->buf, a->mem, off), "vkBindBufferMemory");
    b->mem = a->mem, b->size = size, b->sub = 1, b->off = off;
    if (a->map) b->map = (char *)a->map + off, b->uncached = a->uncached;
    if (size % 16 == 0 && size <= vk_max_texel_bytes(c)) {
        VkBufferViewCreateInfo vi = {.sType = VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO, .buffer = b->buf, .format = VK_FORMAT_R32G32B32A32_UINT, .range = VK_WHOLE_SIZE};
        if (vkCreateBufferView(c->dev, &vi, NULL, &b->view) != VK_SUCCESS) b->view = VK_NULL_HANDLE;
    }
    return IM_OK;
}

int vk_arena_buf(VkCtx *c, VkArena *a, size_t size, VkBuf *b, Err *err) {
    size_t need = vk_arena_round(size ? size : 16);
    if (a->used + need > a->size)
        return err_set(err, IM_IO, "Vulkan arena: %zu more bytes do not fit (%zu of %zu used); the arena was sized wrong", need, a->used, a->size);
    int rc = vk_arena_view(c, a, a->used, size, b, err);
    if (!rc) a->used += need;
    return rc;
}

void vk_buf_destroy(VkCtx *c, VkBuf *b) {
    if (!c || !b || !b->buf) return;
    if (b->sub) {
        if (b->view) vkDestroyBufferView(c->dev, b->view, NULL);
        vkDestroyBuffer(c->dev, b->buf, NULL);
        memset(b, 0, sizeof *b);
        return;
    }
    VkMemoryRequirements mr;
    vkGetBufferMemoryRequirements(c->dev, b->buf, &mr);
    c->mem_now -= mr.size;
    if (b->view) vkDestroyBufferView(c->dev, b->view, NULL);
    if (b->map) vkUnmapMemory(c->dev, b->mem);
    vkDestroyBuffer(c->dev, b->buf, NULL);
    vkFreeMemory(c->dev, b->mem, NULL);
    memset(b, 0, sizeof *b);
}

static int copy_via_staging(VkCtx *c, VkBuf *b, size_t off, void *host, size_t n, int up, Err *err) {
    VkBuf s;
    int rc = vk_buf_create(c, n, 1, &s, err);
    if (rc) return rc;
    if (up) memcpy(s.map, host, n);
    VkCommandBuffer cb;
    rc = vk_cmd_begin(c, &cb, err);
    if (!rc) {
        VkBufferCopy reg = {.srcOffset = up ? 0 : off, .dstOffset = up ? off : 0, .size = n};
        vkCmdCopyBuffer(cb, up ? s.buf : b->buf, up ? b->buf : s.buf, 1, &reg);
        rc = vk_cmd_end(cb, err);
        if (!rc) rc = vk_submit_wait(c, cb, err);
        vk_cmd_free(c, cb);
    }
    if (!rc && !up) memcpy(host, s.map, n);
    vk_buf_destroy(c, &s);
    return rc;
}

int vk_buf_upload(VkCtx *c, VkBuf *b, size_t off, const void *src, size_t n, Err *err) {
    if (off + n > b->size) return err_set(err, IM_IO, "Vulkan: upload of %zu bytes at %zu past a %zu-byte buffer", n, off, b->size);
    if (b->map) return memcpy((char *)b->map + off, src, n), IM_OK;
    return copy_via_staging(c, b, off, (void *)src, n, 1, err);
}

int vk_buf_download(VkCtx *c, VkBuf *b, size_t off, void *dst, size_t n, Err *err) {
    if (off + n > b->size) return err_set(err, IM_IO, "Vulkan: download of %zu bytes at %zu past a %zu-byte buffer", n, off, b->size);
    if (b->map && !b->uncached) return memcpy(dst, (char *)b->map + off, n), IM_OK;
    return copy_via_staging(c, b, off, dst, n, 0, err);
}

/* ---- pipelines ---- */

int vk_pipe_get(VkCtx *c, const char *name, int nbind, uint32_t texel_mask, uint32_t push_bytes, VkPipe **out, Err *err) {
    for (int i = 0; i < c->npipes; i++)
        if (!strcmp(c->pipes[i]->name, name)) return *out = c->pipes[i], IM_OK;
    const ShaderBlob *sb = NULL;
    for (const ShaderBlob *s = imagine_shaders; s->name; s++)
        if (!strcmp(s->name, name)) sb = s;
    if (!sb) return err_set(err, IM_IO, "shader variant %s is not embedded (see compute/shaders/variants.cmake)", name);
    if (c->npipes == (int)(sizeof c->pipes / sizeof *c->pipes)) return err_set(err, IM_IO, "too many pipelines");
    if (nbind < 0 || nbind > VK_MAX_BINDINGS) return err_set(err, IM_IO, "shader %s: %d bindings (at most %d)", name, nbind, VK_MAX_BINDINGS);
    VkPipe *p = calloc(1, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    p->nbind = nbind, p->texel_mask = texel_mask;
    VkDescriptorSetLayoutBinding b[VK_MAX_BINDINGS];
    for (int i = 0; i < nbind; i++)
        b[i] = (VkDescriptorSetLayoutBinding){.binding = (uint32_t)i,
                                              .descriptorType = (texel_mask >> i & 1) ? VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER : VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                              .descriptorCount = 1, .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT};
    VkDescriptorSetLayoutCreateInfo dl = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO, .bindingCount = (uint32_t)nbind, .pBindings = b};
    VkPushConstantRange pr = {VK_SHADER_STAGE_COMPUTE_BIT, 0, push_bytes};
    VkShaderModule mod = VK_NULL_HANDLE;
    VkResult r = vkCreateDescriptorSetLayout(c->dev, &dl, NULL, &p->dsl);
    if (r == VK_SUCCESS) {
        VkPipelineLayoutCreateInfo pl = {.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO, .setLayoutCount = 1, .pSetLayouts = &p->dsl,
                                         .pushConstantRangeCount = push_bytes ? 1 : 0, .pPushConstantRanges = &pr};
        r = vkCreatePipelineLayout(c->dev, &pl, NULL, &p->layout);
    }
    if (r == VK_SUCCESS) {
        VkShaderModuleCreateInfo mi = {.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO, .codeSize = sb->count * 4, .pCode = sb->words};
        r = vkCreateShaderModule(c->dev, &mi, NULL, &mod);
    }
    if (r == VK_SUCCESS) {
        /* constant_id 0: the workgroup width, equal to the subgroup size */
        VkSpecializationMapEntry me[1] = {{0, 0, 4}};
        uint32_t sc[1] = {c->subgroup};
        VkSpecializationInfo si = {1, me, 4, sc};
        int control = c->size_control && lanes_wide(sb);
        VkPipelineShaderStageRequiredSubgroupSizeCreateInfoEXT rs = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_REQUIRED_SUBGROUP_SIZE_CREATE_INFO_EXT,
                                                                     .requiredSubgroupSize = c->subgroup};
        VkComputePipelineCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
                                          .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, .pNext = control ? &rs : NULL,
                                                    .flags = control ? VK_PIPELINE_SHADER_STAGE_CREATE_REQUIRE_FULL_SUBGROUPS_BIT_EXT : 0,
                                                    .stage = VK_SHADER_STAGE_COMPUTE_BIT, .module = mod, .pName = "main", .pSpecializationInfo = &si},
                                          .layout = p->layout};
        r = vkCreateComputePipelines(c->dev, c->cache, 1, &ci, NULL, &p->pipe);
    }
    if (mod) vkDestroyShaderModule(c->dev, mod, NULL);
    if (r != VK_SUCCESS) {
        if (p->layout) vkDestroyPipelineLayout(c->dev, p->layout, NULL);
        if (p->dsl) vkDestroyDescriptorSetLayout(c->dev, p->dsl, NULL);
        free(p);
        return err_set(err, IM_IO, "Vulkan: creating the pipeline of shader %s failed (VkResult %d)", name, (int)r);
    }
    c->pipes[c->npipes++] = p;
    *out = p;
    return IM_OK;
}

int vk_set_create(VkCtx *c, VkPipe *p, VkBuf *const *bufs, VkDescriptorSet *out, Err *err) {
    VkDescriptorSetAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO, .descriptorPool = c->dpool, .descriptorSetCount = 1, .pSetLayouts = &p->dsl};
    VKCHECK(vkAllocateDescriptorSets(c->dev, &ai, out), "vkAllocateDescriptorSets");
    VkDescriptorBufferInfo bi[VK_MAX_BINDINGS];
    VkWriteDescriptorSet w[VK_MAX_BINDINGS];
    for (int i = 0; i < p->nbind; i++) {
        int tex = p->texel_mask >> i & 1;
        if (tex && !bufs[i]->view)
            return err_set(err, IM_IO, "shader %s: binding %d needs a texel view of a %zu-byte buffer (a multiple of 16 bytes, at most %zu)", p->name, i, bufs[i]->size,
                           vk_max_texel_bytes(c));
        bi[i] = (VkDescriptorBufferInfo){bufs[i]->buf, 0, bufs[i]->size};
        w[i] = (VkWriteDescriptorSet){.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = *out, .dstBinding = (uint32_t)i, .descriptorCount = 1,
                                      .descriptorType = tex ? VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER : VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                      .pBufferInfo = tex ? NULL : &bi[i], .pTexelBufferView = tex ? &bufs[i]->view : NULL};
    }
    vkUpdateDescriptorSets(c->dev, (uint32_t)p->nbind, w, 0, NULL);
    return IM_OK;
}

/* ---- commands ---- */

int vk_cmd_begin(VkCtx *c, VkCommandBuffer *cb, Err *err) {
    VkCommandBufferAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO, .commandPool = c->pool, .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY, .commandBufferCount = 1};
    VKCHECK(vkAllocateCommandBuffers(c->dev, &ai, cb), "vkAllocateCommandBuffers");
    VkCommandBufferBeginInfo bi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    VKCHECK(vkBeginCommandBuffer(*cb, &bi), "vkBeginCommandBuffer");
    return IM_OK;
}

void vk_cmd_dispatch(VkCommandBuffer cb, const VkPipe *p, VkDescriptorSet set, const void *push, uint32_t push_bytes, uint32_t gx, uint32_t gy, uint32_t gz) {
    vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, p->pipe);
    vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, p->layout, 0, 1, &set, 0, NULL);
    if (push_bytes) vkCmdPushConstants(cb, p->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, push_bytes, push);
    vkCmdDispatch(cb, gx, gy, gz);
}

void vk_cmd_barrier(VkCommandBuffer cb) {
    VkMemoryBarrier mb = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER, .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
                          .dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_HOST_READ_BIT};
    vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                         VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &mb, 0, NULL, 0, NULL);
}

int vk_cmd_end(VkCommandBuffer cb, Err *err) {
    VKCHECK(vkEndCommandBuffer(cb), "vkEndCommandBuffer");
    return IM_OK;
}

int vk_submit_wait(VkCtx *c, VkCommandBuffer cb, Err *err) {
    VkSubmitInfo si = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &cb};
    VKCHECK(vkResetFences(c->dev, 1, &c->fence), "vkResetFences");
    VKCHECK(vkQueueSubmit(c->queue, 1, &si, c->fence), "vkQueueSubmit");
    VKCHECK(vkWaitForFences(c->dev, 1, &c->fence, VK_TRUE, UINT64_MAX), "vkWaitForFences");
    return IM_OK;
}

void vk_cmd_free(VkCtx *c, VkCommandBuffer cb) {
    if (c && cb) vkFreeCommandBuffers(c->dev, c->pool, 1, &cb);
}

/* ---- measurement ---- */

int vk_measure_bandwidth(VkCtx *c, size_t bytes, int reps, double *bytes_per_s, Err *err) {
    VkBuf a, b;
    int rc = vk_buf_create(c, bytes, 0, &a, err);
    if (rc) return rc;
    if ((rc = vk_buf_create(c, bytes, 0, &b, err))) {
        vk_buf_destroy(c, &a);
        return rc;
    }
    VkCommandBuffer cb;
    rc = vk_cmd_begin(c, &cb, err);
    if (!rc) {
        vkCmdFillBuffer(cb, a.buf, 0, VK_WHOLE_SIZE, 0x3f800000u);
        vk_cmd_barrier(cb);
        rc = vk_cmd_end(cb, err);
        if (!rc) rc = vk_submit_wait(c, cb, err);
        vk_cmd_free(c, cb);
    }
    if (!rc) rc = vk_cmd_begin(c, &cb, err);
    if (!rc) {
        VkBufferCopy reg = {0, 0, bytes};
        for (int i = 0; i < reps; i++) {
            vkCmdCopyBuffer(cb, (i & 1) ? b.buf : a.buf, (i & 1) ? a.buf : b.buf, 1, &reg);
            vk_cmd_barrier(cb);
        }
        rc = vk_cmd_end(cb, err);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (!rc) rc = vk_submit_wait(c, cb, err);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        vk_cmd_free(c, cb);
        double s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
        *bytes_per_s = s > 0 ? 2.0 * (double)bytes * reps / s : 0; /* each copy reads and writes */
    }
    vk_buf_destroy(c, &a), vk_buf_destroy(c, &b);
    return rc;
}

/* ---- timestamps ---- */

int vk_timer_create(VkCtx *c, uint32_t n, VkQueryPool *out, Err *err) {
    VkQueryPoolCreateInfo qi = {.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO, .queryType = VK_QUERY_TYPE_TIMESTAMP, .queryCount = n};
    VKCHECK(vkCreateQueryPool(c->dev, &qi, NULL, out), "vkCreateQueryPool");
    return IM_OK;
}

void vk_timer_destroy(VkCtx *c, VkQueryPool p) {
    if (c && p) vkDestroyQueryPool(c->dev, p, NULL);
}

int vk_timer_read(VkCtx *c, VkQueryPool p, uint32_t n, double *ns, Err *err) {
    uint64_t *t = calloc(n ? n : 1, sizeof *t);
    VkResult r = vkGetQueryPoolResults(c->dev, p, 0, n, sizeof *t * n, t, sizeof *t, VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT);
    for (uint32_t i = 0; i < n && r == VK_SUCCESS; i++) ns[i] = (double)t[i] * c->props.limits.timestampPeriod;
    free(t);
    if (r != VK_SUCCESS) return err_set(err, IM_IO, "Vulkan: vkGetQueryPoolResults failed (VkResult %d)", (int)r);
    return IM_OK;
}
