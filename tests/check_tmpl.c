/* Tests of the Mustache-subset templates. */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "testutil.h"
#include "tmpl.h"

/* Render `text` with the JSON context `ctx`; the result is owned by us. */
static char *
render(const char *text, const char *ctx)
{
	struct tmpl_set *set;
	json_t *j = NULL;
	json_error_t jerr;
	char *cause = NULL, *out;
	size_t len;

	set = tmpl_set_parse("t", text, &cause);
	ck_assert_msg(set != NULL, "parse: %s", cause ? cause : "?");
	if (ctx != NULL) {
		j = json_loads(ctx, 0, &jerr);
		ck_assert_msg(j != NULL, "json: %s", jerr.text);
	}
	out = tmpl_render(set, "t", j, &len);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(len, strlen(out));
	json_decref(j);
	tmpl_set_free(set);
	return out;
}

static void
expect(const char *text, const char *ctx, const char *want)
{
	char *got = render(text, ctx);

	ck_assert_str_eq(got, want);
	free(got);
}

/* The cause of a failed parse of `text` as "f.html". */
static void
expect_error(const char *text, const char *want)
{
	struct tmpl_set *set;
	char *cause = NULL;

	set = tmpl_set_parse("f.html", text, &cause);
	ck_assert_ptr_null(set);
	ck_assert_ptr_nonnull(cause);
	ck_assert_str_eq(cause, want);
	free(cause);
}

START_TEST(test_escape)
{
	expect("<p>{{x}}</p>", "{\"x\": \"a & b < c > d \\\" e ' f\"}",
	    "<p>a &amp; b &lt; c &gt; d &quot; e &#39; f</p>");
	expect("{{ x }}", "{\"x\": \"<script>alert(1)</script>\"}",
	    "&lt;script&gt;alert(1)&lt;/script&gt;");
	expect("Skärgård {{x}}", "{\"x\": \"åäö\"}", "Skärgård åäö");
}
END_TEST

START_TEST(test_scalars)
{
	expect("[{{i}}][{{r}}][{{w}}][{{t}}][{{f}}][{{n}}][{{missing}}]"
	       "[{{o}}][{{a}}]",
	    "{\"i\": 3, \"r\": 1.67, \"w\": 2.0, \"t\": true, \"f\": false,"
	    " \"n\": null, \"o\": {\"x\": 1}, \"a\": [1]}",
	    "[3][1.67][2.0][true][][][][][]");
	expect("{{a}} {{b}} {{c}} {{d}}",
	    "{\"a\": -0.5, \"b\": 0.1, \"c\": -12, \"d\": 1e21}",
	    "-0.5 0.1 -12 1e+21");
}
END_TEST

START_TEST(test_dotted)
{
	const char *ctx = "{\"a\": {\"b\": {\"c\": \"deep\"}}, "
			  "\"x\": {\"y\": \"outer\"}, "
			  "\"items\": [{\"x\": {}}, {\"z\": 1}]}";

	expect("{{a.b.c}}|{{a.b}}|{{a.q.c}}|{{q.b}}", ctx, "deep|||");
	/*
	 * The first part is looked up outwards, the rest only inside it: in
	 * the first item x exists and has no y, so nothing; in the second x
	 * comes from the root.
	 */
	expect("{{#items}}[{{x.y}}]{{/items}}", ctx, "[][outer]");
	expect("{{#a.b}}{{c}}{{/a.b}}{{^a.q}}-{{/a.q}}", ctx, "deep-");
}
END_TEST

START_TEST(test_sections)
{
	const char *ctx =
	    "{\"items\": [{\"name\": \"a\"}, {\"name\": \"b\"}],"
	    " \"none\": [], \"o\": {\"x\": \"in\"}, \"x\": \"out\"}";

	expect("{{#items}}<{{name}}>{{/items}}", ctx, "<a><b>");
	expect("{{#none}}<{{name}}>{{/none}}", ctx, "");
	expect("{{^none}}empty{{/none}}{{^items}}no{{/items}}", ctx, "empty");
	expect("{{x}}{{#o}}{{x}}{{/o}}{{x}}", ctx, "outinout");
}
END_TEST

START_TEST(test_truthiness)
{
	static const struct {
		const char *value;
		const char *want;
	} cases[] = {
	    {"true", "Y"},
	    {"false", "N"},
	    {"null", "N"},
	    {"\"\"", "N"},
	    {"\"s\"", "Y"},
	    {"0", "N"},
	    {"7", "Y"},
	    {"-1", "Y"},
	    {"0.0", "N"},
	    {"0.5", "Y"},
	    {"[]", "N"},
	    {"[1]", "Y"},
	    {"[1, 2]", "YY"},
	    {"{}", "Y"},
	};
	char ctx[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(ctx, sizeof(ctx), "{\"v\": %s}", cases[i].value);
		expect("{{#v}}Y{{/v}}{{^v}}N{{/v}}", ctx, cases[i].want);
	}
	expect("{{#v}}Y{{/v}}{{^v}}N{{/v}}", "{}", "N");
	expect("{{#v}}Y{{/v}}{{^v}}N{{/v}}", NULL, "N");
}
END_TEST

START_TEST(test_dot)
{
	expect("{{#list}}({{.}}){{/list}}",
	    "{\"list\": [\"a<\", 2, 1.5, true, null]}",
	    "(a&lt;)(2)(1.5)(true)()");
	/* A scalar section pushes the value too. */
	expect("{{#s}}[{{.}}]{{/s}}{{#n}}[{{.}}]{{/n}}",
	    "{\"s\": \"str\", \"n\": 4}", "[str][4]");
}
END_TEST

START_TEST(test_nested_outer)
{
	expect("{{#groups}}{{name}}:{{#items}}{{title}}/{{name}}/{{v}};"
	       "{{/items}}{{^items}}none{{/items}}|{{/groups}}",
	    "{\"title\": \"T\", \"name\": \"root\", \"groups\": ["
	    "{\"name\": \"g1\", \"items\": [{\"v\": 1}, {\"v\": 2}]},"
	    "{\"name\": \"g2\", \"items\": []}]}",
	    "g1:T/g1/1;T/g1/2;|g2:none|");
}
END_TEST

START_TEST(test_comments_and_standalone)
{
	const char *ctx = "{\"items\": [\"a\", \"b\"], \"t\": true, \"v\": 1}";

	expect("a{{! ignore me }}b", NULL, "ab");
	expect("a\n{{! a comment\n  on two lines }}\nb\n", NULL, "a\nb\n");
	expect("<ul>\n  {{#items}}\n  <li>{{.}}</li>\n  {{/items}}\n</ul>\n",
	    ctx, "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n");
	/* Inline sections keep their surroundings; variables never own a line. */
	expect("a {{#t}}b{{/t}} c\n", ctx, "a b c\n");
	expect("x\n{{v}}\ny", ctx, "x\n1\ny");
	expect("{{#t}}\r\nyes\r\n{{/t}}\r\n", ctx, "yes\r\n");
	expect("{{#t}}x{{/t}}\n", ctx, "x\n");
}
END_TEST

START_TEST(test_recursive_partial)
{
	struct tmpl_set *set;
	json_t *ctx;
	char *cause = NULL, *out;

	set = tmpl_set_parse(
	    "tree", "{{name}}{{#kids}}({{>tree}}){{/kids}}", &cause);
	ck_assert_ptr_nonnull(set);
	/* Leaves say "kids": [], or the lookup would find their parent's. */
	ctx = json_loads("{\"name\": \"a\", \"kids\": [{\"name\": \"b\", "
			 "\"kids\": [{\"name\": \"c\", \"kids\": []}]}, "
			 "{\"name\": \"d\", \"kids\": []}]}",
	    0, NULL);
	out = tmpl_render(set, "tree", ctx, NULL);
	ck_assert_str_eq(out, "a(b(c))(d)");
	free(out);
	/* Without data to end it, the depth limit does. */
	json_decref(ctx);
	tmpl_set_free(set);
	set = tmpl_set_parse("loop", "x{{>loop}}", &cause);
	ck_assert_ptr_nonnull(set);
	out = tmpl_render(set, "loop", NULL, NULL);
	ck_assert_uint_eq(strlen(out), 33);
	free(out);
	tmpl_set_free(set);
}
END_TEST

START_TEST(test_parse_errors)
{
	expect_error("a\n{{#s}}\nb\n", "f.html:2: section \"s\" is not closed");
	expect_error("{{#a}}\n{{#b}}\n{{/a}}",
	    "f.html:3: {{/a}} does not close {{#b}} of line 2");
	expect_error("{{^a}}x{{/b}}",
	    "f.html:1: {{/b}} does not close {{^a}} of line 1");
	expect_error("x\n{{/a}}", "f.html:2: {{/a}} closes no section");
	expect_error("one\ntwo {{name\nthree",
	    "f.html:2: unterminated tag (no \"}}\" after \"{{\")");
	expect_error(
	    "<p>\n{{>nope}}</p>", "f.html:2: unknown partial \"nope\"");
	expect_error(
	    "{{{x}}}", "f.html:1: unescaped output (\"{{{\") is not supported");
	expect_error(
	    "{{&x}}", "f.html:1: unescaped output (\"{{&\") is not supported");
	expect_error(
	    "{{=<% %>=}}", "f.html:1: changing delimiters is not supported");
	expect_error("{{ }}", "f.html:1: empty tag");
	expect_error("{{#}}{{/}}", "f.html:1: empty tag");
	expect_error("{{a b}}",
	    "f.html:1: bad name \"a b\" (letters, digits, "
	    "_ and -, parts separated by dots)");
	expect_error("{{a..b}}",
	    "f.html:1: bad name \"a..b\" (letters, "
	    "digits, _ and -, parts separated by dots)");
	/* Lines are counted through comments and standalone tags. */
	expect_error("{{!\n\n}}\n{{#x}}\n{{/x}}\n{{#y}}",
	    "f.html:6: section \"y\" is not closed");
}
END_TEST

static char tmpdir[64];

static void
put_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void
make_dir(void)
{
	char path[256];

	strcpy(tmpdir, "/tmp/check_tmpl.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/i18n", tmpdir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
}

static void
remove_dir(void)
{
	static const char *names[] = {"head.html", "page.html", "item.html",
	    "mail.txt", "notes.md", ".hidden.html", "i18n/x.html", "a.html",
	    "b.html"};
	char path[256];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/i18n", tmpdir);
	rmdir(path);
	rmdir(tmpdir);
}

START_TEST(test_load_dir)
{
	struct tmpl_set *set;
	json_t *ctx;
	char *cause = NULL, *out;
	size_t len;

	make_dir();
	put_file("head.html", "<title>{{title}}</title>\n");
	put_file("page.html",
	    "{{>head}}\n<ul>{{#items}}{{>item}}{{/items}}"
	    "</ul>\n");
	put_file("item.html", "<li>{{.}}</li>");
	put_file("mail.txt", "Hej {{name}}!\n");
	put_file("notes.md", "{{#broken");
	put_file(".hidden.html", "{{#broken");
	put_file("i18n/x.html", "{{#broken");

	set = tmpl_set_load(tmpdir, &cause);
	ck_assert_msg(set != NULL, "load: %s", cause ? cause : "?");
	ck_assert_int_eq(tmpl_has(set, "page"), 1);
	ck_assert_int_eq(tmpl_has(set, "page.html"), 1);
	ck_assert_int_eq(tmpl_has(set, "item"), 1);
	ck_assert_int_eq(tmpl_has(set, "mail.txt"), 1);
	ck_assert_int_eq(tmpl_has(set, "mail"), 0);
	ck_assert_int_eq(tmpl_has(set, "notes"), 0);
	ck_assert_int_eq(tmpl_has(set, "x"), 0);
	ck_assert_int_eq(tmpl_has(set, "i18n"), 0);

	ctx = json_loads("{\"title\": \"T&T\", \"items\": [\"a\", \"b\"], "
			 "\"name\": \"Anna\"}",
	    0, NULL);
	out = tmpl_render(set, "page", ctx, &len);
	ck_assert_str_eq(out,
	    "<title>T&amp;T</title>\n<ul><li>a</li>"
	    "<li>b</li></ul>\n");
	ck_assert_uint_eq(len, strlen(out));
	free(out);
	out = tmpl_render(set, "mail.txt", ctx, NULL);
	ck_assert_str_eq(out, "Hej Anna!\n");
	free(out);
	ck_assert_ptr_null(tmpl_render(set, "nope", ctx, &len));
	json_decref(ctx);
	tmpl_set_free(set);
	remove_dir();
}
END_TEST

START_TEST(test_load_errors)
{
	struct tmpl_set *set;
	char *cause = NULL, want[256];

	make_dir();
	put_file("a.html", "ok\n");
	put_file("b.html", "<p>\n\n{{>missing}}</p>\n");
	set = tmpl_set_load(tmpdir, &cause);
	ck_assert_ptr_null(set);
	snprintf(want, sizeof(want),
	    "%s/b.html:3: unknown partial "
	    "\"missing\"",
	    tmpdir);
	ck_assert_str_eq(cause, want);
	free(cause);

	put_file("b.html", "{{#x}}\n");
	set = tmpl_set_load(tmpdir, &cause);
	ck_assert_ptr_null(set);
	snprintf(want, sizeof(want),
	    "%s/b.html:1: section \"x\" is not "
	    "closed",
	    tmpdir);
	ck_assert_str_eq(cause, want);
	free(cause);
	remove_dir();

	set = tmpl_set_load("/nonexistent/estd-templates", &cause);
	ck_assert_ptr_null(set);
	ck_assert_str_eq(cause,
	    "/nonexistent/estd-templates: "
	    "No such file or directory");
	free(cause);
}
END_TEST

static Suite *
tmpl_suite(void)
{
	Suite *s = suite_create("tmpl");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_scalars);
	tcase_add_test(tc, test_dotted);
	tcase_add_test(tc, test_sections);
	tcase_add_test(tc, test_truthiness);
	tcase_add_test(tc, test_dot);
	tcase_add_test(tc, test_nested_outer);
	tcase_add_test(tc, test_comments_and_standalone);
	tcase_add_test(tc, test_recursive_partial);
	tcase_add_test(tc, test_parse_errors);
	tcase_add_test(tc, test_load_dir);
	tcase_add_test(tc, test_load_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testutil_run(tmpl_suite());
}
