# Embeds agents/prompts/*.txt into the library at build time as byte arrays
# with their SHA-256 (agents/prompts/embed_run.cmake writes prompts_data.c).
# A prompt is found by its file name without .txt (see agents/prompts.h).
file(GLOB AG_PROMPT_FILES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/prompts/*.txt)
list(SORT AG_PROMPT_FILES)
add_custom_command(
  OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/prompts_data.c
  COMMAND ${CMAKE_COMMAND} -DOUT=${CMAKE_CURRENT_BINARY_DIR}/prompts_data.c
          -DDIR=${CMAKE_CURRENT_SOURCE_DIR}/prompts -P ${CMAKE_CURRENT_SOURCE_DIR}/prompts/embed_run.cmake
  DEPENDS ${AG_PROMPT_FILES} ${CMAKE_CURRENT_SOURCE_DIR}/prompts/embed_run.cmake
  COMMENT "Embedding agents/prompts/*.txt" VERBATIM)
target_sources(imagine_agents PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/prompts_data.c)
