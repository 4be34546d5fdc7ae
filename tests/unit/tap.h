/* tests/unit/tap.h — a tiny TAP producer for the unit tests (run by `meson test`).
 *
 * ok(cond, name...) prints "ok N - name" or "not ok N - name" with the failing line;
 * is_str/is_int compare and show both sides on failure; done_testing() prints the plan
 * and returns the exit status for main(). Header-only so each test is one file. */
#ifndef CORRAL_TAP_H
#define CORRAL_TAP_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 4, 5))) static int
tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%s %d - ", cond ? "ok" : "not ok", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return cond;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* lives_ok(statement, name...): the statement runs in a child process and must return
 * normally (no crash, no sanitizer abort): a check for "harmless" calls such as freeing
 * NULL, which would otherwise have nothing to compare. */
#define lives_ok(stmt, ...)                                                           \
	do {                                                                          \
		int tap_st_ = -1;                                                     \
		pid_t tap_p_;                                                         \
		fflush(stdout);                                                       \
		tap_p_ = fork();                                                      \
		if (tap_p_ == 0) {                                                    \
			stmt;                                                         \
			_exit(0);                                                     \
		}                                                                     \
		if (tap_p_ > 0)                                                       \
			waitpid(tap_p_, &tap_st_, 0);                                 \
		tap_ok(tap_p_ > 0 && WIFEXITED(tap_st_) && WEXITSTATUS(tap_st_) == 0, \
		       __FILE__, __LINE__, __VA_ARGS__);                              \
	} while (0)

#define is_str(got, want, ...)                                                        \
	do {                                                                          \
		const char *tap_g_ = (got), *tap_w_ = (want);                         \
		if (!tap_ok(tap_g_ != NULL && tap_w_ != NULL ? strcmp(tap_g_, tap_w_) == 0 \
							      : tap_g_ == tap_w_,  \
			    __FILE__, __LINE__, __VA_ARGS__))                         \
			printf("#   got:  \"%s\"\n#   want: \"%s\"\n",                \
			       tap_g_ ? tap_g_ : "(null)", tap_w_ ? tap_w_ : "(null)");  \
	} while (0)

#define is_int(got, want, ...)                                                        \
	do {                                                                          \
		long long tap_g_ = (long long)(got), tap_w_ = (long long)(want);      \
		if (!tap_ok(tap_g_ == tap_w_, __FILE__, __LINE__, __VA_ARGS__))       \
			printf("#   got:  %lld\n#   want: %lld\n", tap_g_, tap_w_);       \
	} while (0)

static inline int
done_testing(void)
{
	printf("1..%d\n", tap_n);
	if (tap_failed)
		printf("# %d of %d failed\n", tap_failed, tap_n);
	return tap_failed ? 1 : 0;
}

#endif
