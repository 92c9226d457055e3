/* The shared fixture files (the TOML files in tests/fixtures, turned into TSV by fixtures_to_tsv.py) run
 * through the C API: C must give exactly what the Rust core gives. Usage: test_fixtures <dir>. */
#include "omni.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed = 0, failed = 0;

#define MAX_FIELDS 10

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

static const char *KIND_NAMES[] = {"mobile", "fixed_line", "fixed_line_or_mobile", "toll_free", "premium_rate",
                                   "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail", "unknown"};

/* Normalisers by region, made on first use and kept for the run. */
static struct {
    char region[8];
    OmniPhoneNormalizer *normalizer;
} normalizers[300];
static size_t normalizer_count = 0;

static OmniPhoneNormalizer *normalizer_for(const char *region) {
    for (size_t i = 0; i < normalizer_count; i++)
        if (strcmp(normalizers[i].region, region) == 0) return normalizers[i].normalizer;
    if (normalizer_count == sizeof normalizers / sizeof normalizers[0]) return NULL;
    OmniPhoneNormalizer *n = NULL;
    if (omni_phone_normalizer_new((const uint8_t *)region, strlen(region), &n) != OMNI_STATUS_OK) return NULL;
    snprintf(normalizers[normalizer_count].region, sizeof normalizers[0].region, "%s", region);
    normalizers[normalizer_count++].normalizer = n;
    return n;
}

static OmniStatus phone_of(const char *input, const char *region, OmniPhone *phone) {
    OmniPhoneNormalizer *n = normalizer_for(region);
    if (!n) return OMNI_STATUS_INVALID_ARGUMENT;
    return omni_phone_normalizer_normalize(n, (const uint8_t *)input, strlen(input), phone);
}

static int same_phone(const OmniPhone *a, const OmniPhone *b) {
    return strcmp(a->e164, b->e164) == 0 && a->valid == b->valid && strcmp(a->region, b->region) == 0 &&
           a->kind == b->kind && strcmp(a->extension, b->extension) == 0;
}

/* Every row of the libphonenumber oracle through the C API, with the listed exceptions and the
 * documented 00 rule (a leading 00 read as + when that, and not the plan's reading, is valid). */
static void oracle(const char *dir) {
    static char exc_inputs[64][512], exc_regions[64][8], exc_e164[64][32], exc_ext[64][32];
    size_t exc_count = 0;
    static char line[1 << 16];
    char *f[MAX_FIELDS];
    FILE *file = open_fixture(dir, "phone_exceptions.tsv");
    while (exc_count < 64 && fgets(line, sizeof line, file)) {
        if (split(line, f) < 4) continue;
        snprintf(exc_inputs[exc_count], 512, "%s", f[0]);
        snprintf(exc_regions[exc_count], 8, "%s", f[1]);
        snprintf(exc_e164[exc_count], 32, "%s", f[2]);
        snprintf(exc_ext[exc_count], 32, "%s", f[3]);
        exc_count++;
    }
    fclose(file);
    char path[4096];
    snprintf(path, sizeof path, "%s/../../../fixtures/phone_oracle.tsv", dir);
    file = fopen(path, "r");
    if (!file) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    int rows = 0, rule = 0, excused = 0;
    if (!fgets(line, sizeof line, file)) exit(2); /* header */
    while (fgets(line, sizeof line, file)) {
        if (split(line, f) < 8) continue;
        rows++;
        char input[512], region[8], outcome[32], e164[64], valid[8], number_region[8];
        snprintf(input, sizeof input, "%s", f[0]);
        snprintf(region, sizeof region, "%s", f[1]);
        snprintf(outcome, sizeof outcome, "%s", f[2]);
        snprintf(e164, sizeof e164, "%s", f[3]);
        snprintf(valid, sizeof valid, "%s", f[4]);
        snprintf(number_region, sizeof number_region, "%s", f[5]);
        const char *kind = f[6], *extension = f[7];

        OmniPhone got;
        memset(&got, 0, sizeof got);
        OmniStatus st = phone_of(input, region, &got);
        int is_exception = -1;
        for (size_t i = 0; i < exc_count; i++)
            if (strcmp(exc_inputs[i], input) == 0 && strcmp(exc_regions[i], region) == 0) is_exception = (int)i;
        int ok;
        if (is_exception >= 0) {
            excused++;
            ok = st == OMNI_STATUS_OK && strcmp(got.e164, exc_e164[is_exception]) == 0 &&
                 strcmp(got.extension, exc_ext[is_exception]) == 0;
        } else if (strcmp(outcome, "ok") == 0) {
            ok = st == OMNI_STATUS_OK && strcmp(got.e164, e164) == 0 && got.valid == (strcmp(valid, "true") == 0) &&
                 strcmp(got.region, number_region) == 0 && strcmp(KIND_NAMES[got.kind], kind) == 0 &&
                 strcmp(got.extension, extension) == 0;
        } else {
            ok = st == OMNI_STATUS_INVALID_PHONE || (st == OMNI_STATUS_INPUT_TOO_LARGE && strlen(input) > 250);
        }
        int oracle_valid = strcmp(outcome, "ok") == 0 && strcmp(valid, "true") == 0;
        if (!ok && !oracle_valid && is_exception < 0 && !strchr(input, '+')) {
            const char *digit = input;
            while (*digit && !(*digit >= '0' && *digit <= '9')) digit++;
            if (digit[0] == '0' && digit[1] == '0') {
                char international[600];
                snprintf(international, sizeof international, "%.*s+%s", (int)(digit - input), input, digit + 2);
                OmniPhone plus;
                if (st == OMNI_STATUS_OK && phone_of(international, region, &plus) == OMNI_STATUS_OK && plus.valid &&
                    same_phone(&got, &plus)) {
                    ok = 1;
                    rule++;
                }
            }
        }
        if (ok) {
            passed++;
        } else {
            char detail[1024];
            snprintf(detail, sizeof detail, "%s (%s): oracle %s %s, omni status %u %s", input, region, outcome, e164,
                     (unsigned)st, got.e164);
            fail("phone_oracle", input, detail);
        }
    }
    fclose(file);
    printf("phone oracle through C: %d rows (%d excused, %d by the 00 rule)\n", rows, excused, rule);
    for (size_t i = 0; i < normalizer_count; i++) omni_phone_normalizer_free(normalizers[i].normalizer);
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

    file = open_fixture(dir, "phone_cases.tsv");
    while (fgets(line, sizeof line, file)) {
        if (split(line, f) < 9) continue;
        char *name = f[0], *input = f[1], *region = f[2], *e164 = f[3], *number_region = f[4];
        char *kind = f[5], *valid = f[6], *extension = f[7], *error = f[8];
        OmniPhone got;
        OmniStatus st = omni_normalize_phone((const uint8_t *)input, strlen(input), (const uint8_t *)region, strlen(region), &got);
        int ok;
        if (*error) {
            const char *k = omni_error_kind_name(st);
            ok = st != OMNI_STATUS_OK && k && strcmp(k, error) == 0;
        } else {
            ok = st == OMNI_STATUS_OK && (!*e164 || strcmp(got.e164, e164) == 0) &&
                 (!*number_region || strcmp(got.region, number_region) == 0) &&
                 (!*kind || strcmp(KIND_NAMES[got.kind], kind) == 0) &&
                 (!*valid || got.valid == (strcmp(valid, "true") == 0)) && strcmp(got.extension, extension) == 0;
        }
        if (ok) {
            passed++;
        } else {
            char detail[512];
            snprintf(detail, sizeof detail, "status %u, e164 %s, region %s", (unsigned)st, got.e164, got.region);
            fail("phone_cases", name, detail);
        }
    }
    fclose(file);

    oracle(dir);

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
