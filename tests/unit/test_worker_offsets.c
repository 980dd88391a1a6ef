/* The worker's committed-offset tracker (worker/offsets.c): the committed offset is the one
 * below which every task is finished, whatever order tasks finish in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../worker/offsets.c"

static void nothing_taken_nothing_to_commit(void **state)
{
    (void)state;
    offtrack *t = offtrack_new();
    assert_int_equal(offtrack_committable(t, 0), -1);
    assert_int_equal(offtrack_position(t, 3), -1);
    assert_int_equal(offtrack_pending_all(t), 0);
    offtrack_free(t);
}

static void in_order_finishes_commit_one_past_the_last(void **state)
{
    (void)state;
    offtrack *t = offtrack_new();
    for (int64_t o = 10; o < 13; o++)
        assert_int_equal(offtrack_add(t, 2, o), 0);
    assert_int_equal(offtrack_committable(t, 2), 10); /* nothing finished: where we started */
    offtrack_committed(t, 2, 10);
    assert_int_equal(offtrack_committable(t, 2), -1);
    assert_int_equal(offtrack_done(t, 2, 10), 0);
    assert_int_equal(offtrack_committable(t, 2), 11);
    assert_int_equal(offtrack_done(t, 2, 11), 0);
    assert_int_equal(offtrack_done(t, 2, 12), 0);
    assert_int_equal(offtrack_committable(t, 2), 13);
    assert_int_equal(offtrack_pending(t, 2), 0);
    offtrack_free(t);
}

/* Table: offsets 0..4 taken, finished in the given order; after each, the commit point. */
static void out_of_order_finishes_commit_below_the_first_unfinished(void **state)
{
    (void)state;
    static const struct {
        int64_t order[5];
        int64_t points[5];
    } cases[] = {
        {{4, 3, 2, 1, 0}, {0, 0, 0, 0, 5}},
        {{0, 1, 2, 3, 4}, {1, 2, 3, 4, 5}},
        {{1, 0, 3, 4, 2}, {0, 2, 2, 2, 5}},
        {{2, 4, 0, 1, 3}, {0, 0, 1, 3, 5}},
    };
    int failures = 0;
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        offtrack *t = offtrack_new();
        for (int64_t o = 0; o < 5; o++)
            assert_int_equal(offtrack_add(t, 0, o), 0);
        for (int k = 0; k < 5; k++) {
            assert_int_equal(offtrack_done(t, 0, cases[c].order[k]), 0);
            if (offtrack_position(t, 0) != cases[c].points[k]) {
                fprintf(stderr, "case %zu step %d: point %lld, want %lld\n", c, k,
                        (long long)offtrack_position(t, 0), (long long)cases[c].points[k]);
                failures++;
            }
        }
        offtrack_free(t);
    }
    assert_int_equal(failures, 0);
}

static void gaps_in_offsets_do_not_hold_the_commit_back(void **state)
{
    (void)state;
    offtrack *t = offtrack_new();
    /* Offsets need not be contiguous (control records, compaction, skipped duplicates). */
    assert_int_equal(offtrack_add(t, 0, 5), 0);
    assert_int_equal(offtrack_add(t, 0, 9), 0);
    assert_int_equal(offtrack_done(t, 0, 9), 0);
    assert_int_equal(offtrack_committable(t, 0), 5);
    assert_int_equal(offtrack_done(t, 0, 5), 0);
    assert_int_equal(offtrack_committable(t, 0), 10);
    offtrack_free(t);
}

static void duplicates_and_unknown_offsets_are_refused(void **state)
{
    (void)state;
    offtrack *t = offtrack_new();
    assert_int_equal(offtrack_add(t, 1, 7), 0);
    assert_int_equal(offtrack_add(t, 1, 7), -1); /* the same message again */
    assert_int_equal(offtrack_add(t, 1, 3), -1); /* an older one */
    assert_int_equal(offtrack_done(t, 1, 8), -1);
    assert_int_equal(offtrack_done(t, 0, 7), -1);
    assert_int_equal(offtrack_done(t, 1, 7), 0);
    assert_int_equal(offtrack_done(t, 1, 7), -1); /* finished twice */
    offtrack_free(t);
}

static void partitions_are_independent(void **state)
{
    (void)state;
    offtrack *t = offtrack_new();
    assert_int_equal(offtrack_add(t, 0, 1), 0);
    assert_int_equal(offtrack_add(t, 11, 100), 0);
    assert_int_equal(offtrack_add(t, 11, 101), 0);
    assert_int_equal(offtrack_done(t, 11, 100), 0);
    assert_int_equal(offtrack_committable(t, 0), 1);
    assert_int_equal(offtrack_committable(t, 11), 101);
    assert_int_equal(offtrack_pending_all(t), 2);
    assert_true(offtrack_partitions(t) >= 12);
    offtrack_free(t);
}

static void a_dropped_partition_forgets_its_tasks(void **state)
{
    (void)state;
    offtrack *t = offtrack_new();
    assert_int_equal(offtrack_add(t, 4, 20), 0);
    assert_int_equal(offtrack_add(t, 4, 21), 0);
    offtrack_drop(t, 4);
    assert_int_equal(offtrack_pending(t, 4), 0);
    assert_int_equal(offtrack_committable(t, 4), -1);
    /* A late acknowledgement of a task of the old assignment changes nothing. */
    assert_int_equal(offtrack_done(t, 4, 20), -1);
    /* Assigned again: redelivered from the committed offset, which may be lower. */
    assert_int_equal(offtrack_add(t, 4, 18), 0);
    assert_int_equal(offtrack_done(t, 4, 18), 0);
    assert_int_equal(offtrack_committable(t, 4), 19);
    offtrack_free(t);
}

static void many_tasks_wrap_the_ring(void **state)
{
    (void)state;
    offtrack *t = offtrack_new();
    int64_t next = 0, done = 0;
    /* Keep about 40 in flight while 10000 pass through; finish every other one late. */
    while (done < 10000) {
        while (next < done + 40)
            assert_int_equal(offtrack_add(t, 0, next++), 0);
        assert_int_equal(offtrack_done(t, 0, done + 1), 0);
        assert_int_equal(offtrack_committable(t, 0) == -1 || offtrack_committable(t, 0) <= done, 1);
        assert_int_equal(offtrack_done(t, 0, done), 0);
        done += 2;
        assert_int_equal(offtrack_position(t, 0), done);
    }
    assert_int_equal(offtrack_pending(t, 0), (size_t)(next - done));
    offtrack_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nothing_taken_nothing_to_commit),
        cmocka_unit_test(in_order_finishes_commit_one_past_the_last),
        cmocka_unit_test(out_of_order_finishes_commit_below_the_first_unfinished),
        cmocka_unit_test(gaps_in_offsets_do_not_hold_the_commit_back),
        cmocka_unit_test(duplicates_and_unknown_offsets_are_refused),
        cmocka_unit_test(partitions_are_independent),
        cmocka_unit_test(a_dropped_partition_forgets_its_tasks),
        cmocka_unit_test(many_tasks_wrap_the_ring),
    };
    return cmocka_run_group_tests_name("worker offsets", tests, NULL, NULL);
}
