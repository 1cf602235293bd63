/*
 * routes: every URL estd answers, in one table that reads as its map.
 */
#include "handlers.h"

#define KiB 1024

const struct http_route routes[] = {
    /* method  pattern                 handler              max body */
    {"GET", "/r/:token", handle_form_get, 0},
    {"POST", "/r/:token", handle_form_post, 64 * KiB},
    {"GET", "/r/:token/receipt", handle_receipt, 0},
    {"GET", "/static/estd.css", handle_css, 0},
    {"GET", "/static/analysis.css", handle_analysis_css, 0},
    {"GET", "/api/v1/checklist", handle_checklist, 0},
    {"POST", "/api/v1/reports", handle_reports_post, 64 * KiB},
    {"GET", "/healthz", handle_healthz, 0},
    {"GET", "/metrics", handle_metrics, 0},
    /* Key functions, steering and admins; before /k/:token. */
    {"GET", "/k/picture", handle_picture_latest, 0},
    {"GET", "/k/picture/:period", handle_picture_get, 0},
    {"POST", "/k/picture/:period/assessment", handle_assessment_post, 32 * KiB},
    {"POST", "/k/picture/:period/measure", handle_measure_post, 32 * KiB},
    {"POST", "/k/flags/:id/ack", handle_flag_ack, 32 * KiB},
    {"POST", "/k/logout", handle_logout, 4 * KiB},
    {"GET", "/k/analysis", handle_analysis_latest, 0},
    {"GET", "/k/analysis/:period", handle_analysis_get, 0},
    {"GET", "/k/analysis/:period/csv", handle_analysis_csv, 0},
    {"GET", "/k/analysis/:period/chart/:area/:chart", handle_analysis_chart, 0},
    {"GET", "/k/:token", handle_signin, 0},
    {"GET", "/api/v1/pictures/:period", handle_api_picture, 0},
    {"GET", "/api/v1/flags", handle_api_flags, 0},
    {"GET", "/api/v1/analyses/:period", handle_api_analysis, 0},
};

const size_t n_routes = sizeof(routes) / sizeof(routes[0]);
