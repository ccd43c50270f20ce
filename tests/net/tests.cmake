# libcurl loaded on first use (common/net.h): the binary's link without it,
# verbs that never load it, and the error when it cannot be loaded.
add_test(NAME http_curl_lazy
         COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/test_net_lazy.sh $<TARGET_FILE:imagine> ${IMAGINE_TEST_DATA}
                 ${CMAKE_BINARY_DIR}/tests/net-out)
