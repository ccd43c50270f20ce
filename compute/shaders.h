/* shaders.h: the SPIR-V of every shader variant, embedded at build time
 * (compute/shaders/embed.cmake). The table ends with a {0} entry. */
#ifndef IMAGINE_SHADERS_H
#define IMAGINE_SHADERS_H

#include <stddef.h>
#include <stdint.h>

typedef struct ShaderBlob {
    const char *name;
    const uint32_t *words;
    size_t count;
} ShaderBlob;

extern const ShaderBlob imagine_shaders[];

#endif
