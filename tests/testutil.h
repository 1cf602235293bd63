/*
 * testutil: helpers shared by the Check suites.
 */
#ifndef ESTD_TESTUTIL_H
#define ESTD_TESTUTIL_H

#include <stdlib.h>

#include <check.h>

/* Run one suite; exit status 0 when every test passed. */
static inline int
testutil_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
