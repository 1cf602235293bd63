/*
 * estd: the EST lägesbild daemon. Start-up script, signal loop, and
 * shutdown in reverse order.
 *
 * DESIGN. Threads: MHD's (one per connection), the writer (all database
 * writes, group commit), both started by server_start, and this main
 * thread, which only waits for
 * signals with sigwait(2): no work is done in a signal handler. Signals
 * are blocked before any thread starts, so every thread inherits the mask
 * and only sigwait sees them.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "clock.h"
#include "conf.h"
#include "log.h"
#include "page.h"
#include "server.h"
#include "token.h"

/*
 * Whether the configuration at `path` (and the checklist and templates
 * it names) loads; 0, or -1 with *cause.
 */
static int
config_loads(const char *path, char **cause)
{
	struct conf *cf;
	struct page_set *pages;

	if ((cf = conf_load(path, cause)) == NULL)
		return -1;
	pages = page_load(cf->templates, cause);
	conf_free(cf);
	if (pages == NULL)
		return -1;
	page_free(pages);
	return 0;
}

/*
 * Wait for SIGTERM or SIGINT (returns 0) or an acceptable SIGHUP
 * (returns 1: reload). With systemd's watchdog on, wake at half its
 * interval and ping it only while every thread is alive, so a hung
 * thread gets the daemon restarted.
 */
static int
wait_for_signal(struct server *srv, const sigset_t *set, const char *path)
{
	uint64_t usec = 0;
	struct timespec ts;
	int sig;
	char *why = NULL;

	if (sd_watchdog_enabled(0, &usec) <= 0)
		usec = 0;
	for (;;) {
		if (usec > 0) {
			ts.tv_sec = (time_t)(usec / 2 / 1000000);
			ts.tv_nsec = (long)(usec / 2 % 1000000) * 1000;
			sig = sigtimedwait(set, NULL, &ts);
		} else
			sig = sigwaitinfo(set, NULL);
		if (sig == -1 && (errno == EAGAIN || errno == EINTR)) {
			if (server_health(srv, &why) == 0)
				sd_notify(0, "WATCHDOG=1");
			else {
				log_err("not alive, no watchdog ping: %s", why);
				sd_notifyf(0, "STATUS=stuck: %s", why);
				free(why);
				why = NULL;
			}
			continue;
		}
		if (sig == -1)
			fatal("sigwait");
		if (sig != SIGHUP) {
			log_info("%s: shutting down",
			    sig == SIGTERM ? "SIGTERM" : "SIGINT");
			return 0;
		}
		if (config_loads(path, &why) == -1) {
			log_err("SIGHUP: the new configuration is refused, the "
				"running one is kept: %s",
			    why);
			free(why);
			why = NULL;
			continue;
		}
		log_info("SIGHUP: the new configuration loads");
		return 1;
	}
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: estd [-d] [-c FILE] [--check-config]\n"
	    "       estd --sample-config | --help | --version\n"
	    "\n"
	    "  -c FILE          configuration (default $ESTD_CONFIG or "
	    "/etc/estd/estd.conf)\n"
	    "  -d               log debug messages\n"
	    "  --check-config   check the configuration and checklist, then "
	    "exit\n"
	    "  --sample-config  print a documented configuration with every "
	    "default\n");
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
	    {"check-config", no_argument, NULL, 'n'},
	    {"sample-config", no_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	const char *path = NULL;
	int ch, debug = 0, check_only = 0, reload;
	struct conf *cf;
	struct page_set *pages;
	struct server *srv;
	sigset_t set;
	char *cause = NULL;

	log_init("estd", 0);
	while ((ch = getopt_long(argc, argv, "c:dh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 'd': debug = 1; break;
		case 'n': check_only = 1; break;
		case 's': conf_write_sample(stdout); return 0;
		case 'h': usage(stdout); return 0;
		case 'V': printf("estd %s\n", ESTD_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init("estd", debug);
	if (path == NULL)
		path = conf_default_path();
	if ((cf = conf_load(path, &cause)) == NULL) {
		fprintf(stderr, "estd: %s\n", cause);
		free(cause);
		return 2;
	}
	/* Load the templates once here so a bad one is a config error. */
	if ((pages = page_load(cf->templates, &cause)) == NULL) {
		fprintf(stderr, "estd: %s\n", cause);
		free(cause);
		conf_free(cf);
		return 2;
	}
	if (clock_init(cf->timezone, &cause) == -1) {
		fprintf(stderr, "estd: %s\n", cause);
		free(cause);
		page_free(pages);
		conf_free(cf);
		return 2;
	}
	if (check_only) {
		printf("%s: configuration ok (%zu indicators in %s)\n",
		    cf->path, cf->checklist.n, cf->checklist_file);
		page_free(pages);
		conf_free(cf);
		return 0;
	}
	page_free(pages);
	if (token_init() == -1)
		fatalx("cannot initialise the random number generator");
	/*
	 * One thread per connection frees small blocks all the time; without
	 * a fixed trim threshold glibc gives arena pages back with madvise
	 * after nearly every request, which costs a TLB shootdown each.
	 */
	mallopt(M_TRIM_THRESHOLD, 8 * 1024 * 1024);
	mallopt(M_ARENA_MAX, 4);

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((srv = server_start(cf, &cause)) == NULL)
		fatalx("%s", cause);
	log_info("estd %s ready: listening on port %d (%s), database %s",
	    ESTD_VERSION, server_port(srv), cf->listen, cf->database);
	sd_notifyf(0, "READY=1\nSTATUS=listening on %s", cf->listen);

	reload = wait_for_signal(srv, &set, path);
	sd_notify(0, reload ? "RELOADING=1" : "STOPPING=1");
	server_stop(srv);
	conf_free(cf);
	if (reload) {
		/*
		 * The new configuration was checked in full; start again
		 * with it under the same PID, so systemd keeps tracking us.
		 */
		log_info(
		    "reloading: starting again with the new configuration");
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		execv("/proc/self/exe", argv);
		fatal("reload: cannot start again");
	}
	log_info("stopped");
	return 0;
}
