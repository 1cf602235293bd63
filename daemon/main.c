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
		{ "check-config", no_argument, NULL, 'n' },
		{ "sample-config", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char		*path = NULL;
	int			 ch, debug = 0, check_only = 0, sig;
	struct conf		*cf;
	struct page_set		*pages;
	struct server		*srv;
	sigset_t		 set;
	char			*cause = NULL;

	log_init("estd", 0);
	while ((ch = getopt_long(argc, argv, "c:dh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'd':
			debug = 1;
			break;
		case 'n':
			check_only = 1;
			break;
		case 's':
			conf_write_sample(stdout);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("estd %s\n", ESTD_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
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

	for (;;) {
		if ((errno = sigwait(&set, &sig)) != 0)
			fatal("sigwait");
		if (sig == SIGHUP) {
			log_info("SIGHUP: reloading is done by a restart "
			    "(systemctl restart estd)");
			continue;
		}
		log_info("%s: shutting down", sig == SIGTERM ? "SIGTERM" :
		    "SIGINT");
		break;
	}
	sd_notify(0, "STOPPING=1");
	server_stop(srv);
	conf_free(cf);
	log_info("stopped");
	return 0;
}
