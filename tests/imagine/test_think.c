/* test_think.c: the IMAGINE sample format (common/think.h): the exact text
 * of a flattened sample with and without a reflection, and the split of
 * responses into reasoning and answer on every branch. */
#include <string.h>

#include "../check.h"
#include "think.h"

static void flatten_exact(void) {
    Buf b;
    buf_init(&b);
    think_flatten(&b, "Day 1: fly. Cheapest flight F1 ($120).", "The flight on day 3 was on the wrong date; I took F2.", "[{\"days\": 1}]");
    const char *want =
        "<think>\n"
        "Day 1: fly. Cheapest flight F1 ($120).\n"
        "REFLECTION(Now, I need to reflect on whether there are any errors in my reasoning above):\n"
        "The flight on day 3 was on the wrong date; I took F2.\n"
        "The reflection is over, now IMMEDIATELY output the final answer!\n"
        "</think>\n"
        "[{\"days\": 1}]";
    CHECK_MSG(!strcmp(b.data, want), "got:\n%s", b.data);
    buf_reset(&b);
    think_flatten(&b, "r", NULL, "A");
    CHECK_MSG(!strcmp(b.data, "<think>\nr\nREFLECTION(Now, I need to reflect on whether there are any errors in my reasoning above):\n"
                              "No errors.\nThe reflection is over, now IMMEDIATELY output the final answer!\n</think>\nA"),
              "got:\n%s", b.data);
    /* a flattened sample is a well-formed response with a reflection */
    ThinkSplit sp;
    CHECK(think_split(b.data, 0, &sp) == 0);
    CHECK(sp.answer_len == 1 && sp.answer[0] == 'A');
    CHECK(think_has_reflection(sp.reasoning, sp.reasoning_len, THINK_REFLECTION_OPEN));
    buf_free(&b);
}

static void split_branches(void) {
    ThinkSplit sp;
    CHECK(think_split("  <think>a</think>  B \n", 0, &sp) == 0 && sp.answer_len == 1 && sp.reasoning_len == 1);
    CHECK(think_split("a</think>B", 0, &sp) != 0 && strstr(sp.error, "<think>"));
    CHECK(think_split("a</think>B", 1, &sp) == 0 && sp.answer[0] == 'B');
    CHECK(think_split("<think>a", 0, &sp) != 0 && strstr(sp.error, "</think>"));
    CHECK(think_split("<think>a</think> \n", 0, &sp) != 0 && strstr(sp.error, "nothing"));
    CHECK(!think_has_reflection("REFLECTION(Now", 14, THINK_REFLECTION_OPEN));
    const char *b;
    size_t n;
    think_answer_json("```json\n[1]\n```", 15, &b, &n);
    CHECK(n == 3 && !strncmp(b, "[1]", 3));
    think_answer_json("```\n[1]```", 10, &b, &n);
    CHECK(n == 3 && !strncmp(b, "[1]", 3));
    think_answer_json("[1]", 3, &b, &n);
    CHECK(n == 3);
    think_answer_json("``` a b\n[1]\n```", 15, &b, &n); /* not a fence: left as is */
    CHECK(n == 15);
}

int main(void) {
    flatten_exact();
    split_branches();
    return check_failures != 0;
}
