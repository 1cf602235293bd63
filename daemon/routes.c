/*
 * routes: every URL estd answers, in one table that reads as its map.
 */
#include "handlers.h"

#define KiB	1024

const struct http_route routes[] = {
	/* method  pattern                 handler              max body */
	{ "GET",  "/r/:token",		handle_form_get,	0 },
	{ "POST", "/r/:token",		handle_form_post,	64 * KiB },
	{ "GET",  "/r/:token/receipt",	handle_receipt,		0 },
	{ "GET",  "/static/estd.css",	handle_css,		0 },
	{ "GET",  "/api/v1/checklist",	handle_checklist,	0 },
	{ "POST", "/api/v1/reports",	handle_reports_post,	64 * KiB },
	{ "GET",  "/healthz",		handle_healthz,		0 },
};

const size_t n_routes = sizeof(routes) / sizeof(routes[0]);
