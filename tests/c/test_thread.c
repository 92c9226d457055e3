/* C tests of conversation threading: the shared JSON-lines fixtures in tests/fixtures/thread/
 * (the same cases the Rust and Python tests read) run through the threader handle, plus batch
 * threading with identity resolution, merges, erasure, snapshots and bad input. Compiled with
 * -Wall -Wextra -Werror and run under AddressSanitizer by tests/c/run.sh (from the repository
 * root). Prints "N passed, N failed". */
#include "omni.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* ----- a minimal reader for the fixture lines (values located, not parsed) ----- */

/* The end of the JSON value starting at v (one past its last byte). */
static const char *value_end(const char *v) {
    if (*v == '"') {
        for (v++; *v && *v != '"'; v++)
            if (*v == '\\' && v[1]) v++;
        return *v ? v + 1 : v;
    }
    if (*v == '{' || *v == '[') {
        int depth = 0;
        for (; *v; v++) {
            if (*v == '"') {
                v = value_end(v) - 1;
            } else if (*v == '{' || *v == '[') {
                depth++;
            } else if (*v == '}' || *v == ']') {
                if (--depth == 0) return v + 1;
            }
        }
        return v;
    }
    while (*v && *v != ',' && *v != '}' && *v != ']') v++;
    return v;
}

/* The value of the first "key": in json, or NULL. */
static const char *find_value(const char *json, const char *key) {
    char pattern[128];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *at = strstr(json, pattern);
    if (!at) return NULL;
    at += strlen(pattern);
    while (*at == ' ') at++;
    return at;
}

/* Copies the string value at v (without quotes; no escapes in the fixtures' ids) into out. */
static const char *read_string(const char *v, char *out, size_t cap) {
    const char *end = value_end(v);
    size_t n = (size_t)(end - v) >= 2 ? (size_t)(end - v) - 2 : 0;
    if (n >= cap) n = cap - 1;
    memcpy(out, v + 1, n);
    out[n] = '\0';
    return end;
}

static const char *skip(const char *p) {
    while (*p == ' ' || *p == ',' || *p == '\n') p++;
    return p;
}

/* ----- fixtures ----- */

static char *conversation_of(OmniThreader *t, const char *id) {
    char *conv = NULL;
    OmniStatus st = omni_threader_conversation_of(t, S(id), &conv);
    CHECK(st == OMNI_STATUS_OK, "conversation_of %s: %u %s", id, (unsigned)st, last_error());
    return conv;
}

/* Checks a case's expected conversations, states and follow-ups against the threader. */
static void check_expect(OmniThreader *t, const char *name, const char *expect) {
    size_t groups = 0;
    const char *convs = find_value(expect, "conversations");
    if (convs) {
        const char *p = skip(convs + 1);
        while (*p == '[') {
            groups++;
            char first[256] = "", id[256];
            const char *q = skip(p + 1);
            while (*q == '"') {
                q = skip(read_string(q, id, sizeof id));
                if (!first[0]) strcpy(first, id);
                char *conv = conversation_of(t, id);
                CHECK(conv && strcmp(conv, first) == 0, "%s: %s is in %s, want %s", name, id, conv ? conv : "?", first);
                omni_string_free(conv);
            }
            p = skip(value_end(p));
        }
        size_t messages = 0, customers = 0, conversations = 0;
        OmniStatus st = omni_threader_counts(t, &messages, &customers, &conversations);
        CHECK(st == OMNI_STATUS_OK && conversations == groups, "%s: %zu conversations, want %zu", name, conversations, groups);
    }
    const char *states = find_value(expect, "states");
    if (states) {
        const char *p = skip(states + 1);
        while (*p == '"') {
            char id[256], state[64], want[96];
            p = read_string(p, id, sizeof id);
            p = skip(p + 1); /* the colon */
            p = skip(read_string(p, state, sizeof state));
            char *json = NULL;
            OmniStatus st = omni_threader_conversation(t, S(id), &json);
            snprintf(want, sizeof want, "\"state\":\"%s\"", state);
            CHECK(st == OMNI_STATUS_OK && strstr(json, want), "%s: state of %s, want %s: %s", name, id, state, json ? json : last_error());
            omni_string_free(json);
        }
    }
    const char *follow = find_value(expect, "follow_up");
    if (follow) {
        const char *p = skip(follow + 1);
        while (*p == '{') {
            const char *end = value_end(p);
            char check[1024];
            size_t n = (size_t)(end - p) < sizeof check - 1 ? (size_t)(end - p) : sizeof check - 1;
            memcpy(check, p, n);
            check[n] = '\0';
            char conv[256], since[64] = "";
            read_string(find_value(check, "conversation"), conv, sizeof conv);
            const char *s = find_value(check, "since");
            if (s) read_string(s, since, sizeof since);
            int moved_on = strncmp(find_value(check, "moved_on"), "true", 4) == 0;
            char *json = NULL;
            OmniStatus st = omni_threader_check_follow_up(t, S(conv), (const uint8_t *)since, strlen(since), &json);
            CHECK(st == OMNI_STATUS_OK && strstr(json, moved_on ? "\"moved_on\":true" : "\"moved_on\":false"),
                  "%s: follow-up on %s: %s", name, conv, json ? json : last_error());
            omni_string_free(json);
            p = skip(end);
        }
    }
}

static size_t run_fixture(const char *path) {
    FILE *f = fopen(path, "r");
    CHECK(f != NULL, "cannot open %s (run from the repository root)", path);
    if (!f) return 0;
    static char line[1 << 16];
    char name[512] = "", customer[256] = "";
    OmniThreader *t = NULL;
    size_t cases = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "{\"case\":", 8) == 0) {
            read_string(find_value(line, "case"), name, sizeof name);
            customer[0] = '\0';
            const char *c = find_value(line, "customer");
            if (c) read_string(c, customer, sizeof customer);
            const char *config = find_value(line, "config");
            size_t config_len = config ? (size_t)(value_end(config) - config) : 0;
            omni_threader_free(t);
            t = NULL;
            OmniStatus st = omni_threader_new((const uint8_t *)config, config_len, &t);
            CHECK(st == OMNI_STATUS_OK, "%s: config: %s", name, last_error());
        } else if (strncmp(line, "{\"expect\":", 10) == 0) {
            check_expect(t, name, find_value(line, "expect"));
            cases++;
        } else if (t) {
            const char *message = line;
            size_t len = strlen(line);
            char who[256];
            strcpy(who, customer);
            if (strncmp(line, "{\"customer\":", 12) == 0) {
                read_string(find_value(line, "customer"), who, sizeof who);
                message = find_value(line, "message");
                len = (size_t)(value_end(message) - message);
            }
            char *json = NULL;
            OmniStatus st = omni_threader_add(t, (const uint8_t *)message, len, S(who), &json);
            CHECK(st == OMNI_STATUS_OK, "%s: add: %s", name, last_error());
            omni_string_free(json);
        }
    }
    omni_threader_free(t);
    fclose(f);
    return cases;
}

static void test_fixtures(void) {
    CHECK(run_fixture("tests/fixtures/thread/cross_channel.jsonl") >= 10, "cross-channel cases");
    CHECK(run_fixture("tests/fixtures/thread/jwz.jsonl") == 3, "jwz cases");
    CHECK(run_fixture("tests/fixtures/thread/mailing_list.jsonl") == 1, "mailing list case");
}

/* ----- the handle's other functions ----- */

static const char *BATCH =
    "{\"id\":\"form-1\",\"channel\":\"web_form\",\"direction\":\"inbound\",\"timestamp\":\"2024-05-01T10:00:00Z\","
    "\"form_fields\":{\"Телефон\":\"8 (903) 111-22-33\"},\"text\":\"Перезвоните\"}\n"
    "{\"id\":\"wa-1\",\"channel\":\"whatsapp\",\"direction\":\"outbound\",\"timestamp\":\"2024-05-01T10:30:00Z\","
    "\"to\":{\"identifiers\":[{\"kind\":\"phone\",\"value\":\"+79031112233\"}]},\"text\":\"Оплата получена\"}\n"
    "not json\n"
    "{\"id\":\"anon\",\"channel\":\"voice\",\"direction\":\"inbound\",\"timestamp\":\"2024-05-01T11:00:00Z\"}\n";

static void test_batch_and_handle(void) {
    char *json = NULL;
    OmniStatus st = omni_thread_messages(S(BATCH), NULL, 0, NULL, 0, NULL, 0, &json);
    CHECK(st == OMNI_STATUS_OK, "thread_messages: %s", last_error());
    if (json) {
        CHECK(strstr(json, "\"conversation_ids\":[\"form-1\",\"form-1\",null,\"anon\"]"), "conversation ids: %s", json);
        CHECK(strstr(json, "\"customer_ids\":[\"form-1\",\"form-1\",\"\",\"anon\"]"), "customer ids: %s", json);
        CHECK(strstr(json, "\"index\":2") && strstr(json, "\"kind\":\"invalid_json\""), "rejection: %s", json);
        CHECK(strstr(json, "\"state\":\"resolved\""), "payment resolves: %s", json);
    }
    omni_string_free(json);

    OmniThreader *t = NULL;
    st = omni_threader_new(S("{\"inactivity_gap_secs\": 3600}"), &t);
    CHECK(st == OMNI_STATUS_OK, "new: %s", last_error());
    json = NULL;
    st = omni_threader_add_many(t, S(BATCH), S("[\"c1\", \"c1\", \"c1\", \"\"]"), &json);
    CHECK(st == OMNI_STATUS_OK && strstr(json, "\"conversation_ids\":[\"form-1\",\"form-1\",null,\"anon\"]"), "add_many: %s", json ? json : last_error());
    omni_string_free(json);
    json = NULL;
    st = omni_threader_add_many(t, S(BATCH), S("[\"c1\"]"), &json);
    CHECK(st == OMNI_STATUS_INVALID_ARGUMENT && json == NULL, "add_many with too few ids: %u", (unsigned)st);

    st = omni_threader_reassign(t, S("{\"customer\": \"anon\", \"to\": \"c1\"}"), &json);
    CHECK(st == OMNI_STATUS_OK && strstr(json, "\"messages\":1"), "reassign: %s", json ? json : last_error());
    omni_string_free(json);
    json = NULL;
    st = omni_threader_conversations_of(t, S("c1"), &json);
    CHECK(st == OMNI_STATUS_OK && strstr(json, "\"message_ids\":[\"form-1\",\"wa-1\",\"anon\"]") && strstr(json, "\"customer_id\":\"c1\""), "conversations_of: %s", json ? json : last_error());
    omni_string_free(json);

    uint8_t *bytes = NULL;
    size_t len = 0;
    st = omni_threader_snapshot(t, &bytes, &len);
    CHECK(st == OMNI_STATUS_OK && len > 12, "snapshot: %s", last_error());
    OmniThreader *back = NULL;
    st = omni_threader_restore(bytes, len, &back);
    CHECK(st == OMNI_STATUS_OK, "restore: %s", last_error());
    char *conv = back ? conversation_of(back, "wa-1") : NULL;
    CHECK(conv && strcmp(conv, "form-1") == 0, "restored: %s", conv ? conv : "?");
    omni_string_free(conv);
    omni_threader_free(back);
    if (bytes && len > 20) bytes[len - 1] ^= 1;
    back = NULL;
    st = omni_threader_restore(bytes, len, &back);
    CHECK(st == OMNI_STATUS_INVALID_SNAPSHOT && back == NULL, "corrupted snapshot: %u", (unsigned)st);
    omni_bytes_free(bytes, len);

    json = NULL;
    st = omni_threader_remove_customer(t, S("c1"), &json);
    CHECK(st == OMNI_STATUS_OK && strstr(json, "\"messages\":3"), "remove: %s", json ? json : last_error());
    omni_string_free(json);
    json = NULL;
    st = omni_threader_conversation(t, S("form-1"), &json);
    CHECK(st == OMNI_STATUS_NOT_FOUND && json == NULL, "erased: %u", (unsigned)st);
    st = omni_threader_check_follow_up(t, S("form-1"), NULL, 0, &json);
    CHECK(st == OMNI_STATUS_NOT_FOUND, "follow-up on nothing: %u", (unsigned)st);

    st = omni_threader_add(t, S("{\"id\":\"x\",\"channel\":\"sms\",\"direction\":\"inbound\",\"timestamp\":\"вчера\"}"), S("c"), &json);
    CHECK(st == OMNI_STATUS_INVALID_FIELD && strstr(last_error(), "timestamp"), "bad message: %s", last_error());
    st = omni_threader_add(NULL, S("{\"id\":\"y\",\"channel\":\"sms\",\"direction\":\"inbound\",\"timestamp\":1714546800}"), S("c"), &json);
    CHECK(st == OMNI_STATUS_INVALID_ARGUMENT, "NULL handle: %u", (unsigned)st);
    st = omni_threader_new(S("{\"inactivity_gap\": 5}"), &back);
    CHECK(st == OMNI_STATUS_INVALID_ARGUMENT && strstr(last_error(), "inactivity_gap"), "bad config: %s", last_error());
    const uint8_t bad_utf8[] = {'{', 0xff, '}'};
    st = omni_threader_add(t, bad_utf8, sizeof bad_utf8, S("c"), &json);
    CHECK(st == OMNI_STATUS_INVALID_UTF8, "invalid UTF-8: %u", (unsigned)st);
    omni_threader_free(t);
    omni_threader_free(NULL);
}

int main(void) {
    test_fixtures();
    test_batch_and_handle();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
