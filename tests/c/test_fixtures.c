/* The shared fixture files (the TOML files in tests/fixtures, turned into TSV by fixtures_to_tsv.py) run
 * through the C API: C must give exactly what the Rust core gives. Usage: test_fixtures <dir>. */
#include "omni.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed = 0, failed = 0;

#define MAX_FIELDS 6

/* Splits a line on tabs in place and unescapes \\, \t, \n. Returns the number of fields. */
static int split(char *line, char **fields) {
    int n = 0;
    char *out = line;
    fields[n++] = out;
    for (char *p = line; *p && *p != '\n'; p++) {
        if (*p == '\t') {
            *out++ = '\0';
            if (n == MAX_FIELDS) return n;
            fields[n++] = out;
        } else if (*p == '\\' && p[1]) {
            p++;
            *out++ = *p == 't' ? '\t' : *p == 'n' ? '\n' : *p;
        } else {
            *out++ = *p;
        }
    }
    *out = '\0';
    return n;
}

static FILE *open_fixture(const char *dir, const char *name) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    return f;
}

static void fail(const char *file, const char *name, const char *detail) {
    failed++;
    fprintf(stderr, "FAIL %s: %s: %s\n", file, name, detail);
}

static void check_result(const char *file, const char *name, OmniStatus st, char *json, const char *want,
                         const char *error, int exact) {
    char detail[8192];
    if (*error) {
        const char *kind = omni_error_kind_name(st);
        if (st != OMNI_STATUS_OK && kind && strcmp(kind, error) == 0) {
            passed++;
        } else {
            snprintf(detail, sizeof detail, "want error %s, got status %u (%s)", error, (unsigned)st, json ? json : "");
            fail(file, name, detail);
        }
    } else if (st != OMNI_STATUS_OK) {
        snprintf(detail, sizeof detail, "status %u: %s", (unsigned)st, omni_last_error_message());
        fail(file, name, detail);
    } else if (exact ? strcmp(json, want) != 0 : strstr(json, want) == NULL) {
        snprintf(detail, sizeof detail, "want %s, got %s", want, json);
        fail(file, name, detail);
    } else {
        passed++;
    }
    omni_string_free(json);
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "tests/c/build/fixtures";
    static char line[1 << 16];
    char *f[MAX_FIELDS];

    FILE *file = open_fixture(dir, "email.tsv");
    while (fgets(line, sizeof line, file)) {
        if (split(line, f) < 4) continue;
        char *json = NULL;
        OmniStatus st = omni_normalize_email((const uint8_t *)f[1], strlen(f[1]), &json);
        check_result("email", f[0], st, json, f[2], f[3], 0);
    }
    fclose(file);

    file = open_fixture(dir, "handle.tsv");
    while (fgets(line, sizeof line, file)) {
        if (split(line, f) < 5) continue;
        char *json = NULL;
        OmniStatus st = *f[1]
            ? omni_normalize_handle((const uint8_t *)f[1], strlen(f[1]), (const uint8_t *)f[2], strlen(f[2]), &json)
            : omni_parse_profile_link((const uint8_t *)f[2], strlen(f[2]), &json);
        check_result("handle", f[0], st, json, f[3], f[4], 1);
    }
    fclose(file);

    file = open_fixture(dir, "names.tsv");
    while (fgets(line, sizeof line, file)) {
        if (split(line, f) < 5) continue;
        double score = -1, low = atof(f[3]), high = atof(f[4]);
        OmniStatus st = omni_name_similarity((const uint8_t *)f[1], strlen(f[1]), (const uint8_t *)f[2], strlen(f[2]), &score);
        if (st == OMNI_STATUS_OK && score >= low && score < high) {
            passed++;
        } else {
            char detail[256];
            snprintf(detail, sizeof detail, "similarity %f not in [%f, %f) (status %u)", score, low, high, (unsigned)st);
            fail("names", f[0], detail);
        }
    }
    fclose(file);

    file = open_fixture(dir, "extract.tsv");
    while (fgets(line, sizeof line, file)) {
        if (split(line, f) < 3) continue;
        char *json = NULL;
        OmniStatus st = omni_extract_contacts((const uint8_t *)f[1], strlen(f[1]), NULL, 0, &json);
        check_result("extract", f[0], st, json, f[2], "", 1);
    }
    fclose(file);

    printf("fixtures: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
