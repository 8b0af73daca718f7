// SPDX-License-Identifier: MIT
/*
 * A vfvm built with AddressSanitizer and UndefinedBehaviorSanitizer
 * (-Db_sanitize=address,undefined, with clang: docs/testing.md, "The sanitized nested run") must
 * keep working under its own seccomp filters. Nothing here exists in an ordinary build.
 *
 * The defaults below are the runtime's own hooks; ASAN_OPTIONS and UBSAN_OPTIONS still override
 * them.
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VFVM_ASAN 1
#endif
#endif
#if !defined(VFVM_ASAN) && defined(__SANITIZE_ADDRESS__)
#define VFVM_ASAN 1
#endif

#ifdef VFVM_ASAN
#include <sanitizer/common_interface_defs.h>

const char *__asan_default_options(void);
const char *__ubsan_default_options(void);

/*
 * use_sigaltstack=0: the runtime would give each thread a signal stack and take it back with
 * sigaltstack() as the thread ends, a call no thread's filter allows.
 * detect_leaks=0: the leak check at exit stops the world with clone() and ptrace(), which the main
 * thread's filter refuses (leaks are the unit tests' and the fuzz targets' part).
 * symbolize=0: no external symbolizer is started (fork, exec) from a filtered thread; a report
 * names module+offset, which llvm-symbolizer turns into lines on the build machine.
 * abort_on_error=1: a report ends the process with SIGABRT, which works from any thread, where
 * exit_group() is refused in the vCPU threads.
 */
const char *__asan_default_options(void)
{
	return "use_sigaltstack=0:detect_leaks=0:symbolize=0:abort_on_error=1";
}

const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:abort_on_error=1:print_stacktrace=1:symbolize=0";
}

/*
 * With log_path set, the runtime opens its report file on the first report, and that openat()
 * would come from a thread whose filter refuses it: the report would be lost. Asking for the path
 * opens the file now, before any filter, and every later report goes to that descriptor.
 */
__attribute__((constructor)) static void open_report_file(void)
{
	(void)__sanitizer_get_report_path();
}
#else
/* ISO C wants something in a translation unit */
typedef int vfvm_sanitizer_unused;
#endif
