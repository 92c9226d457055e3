/* C tests of omni_parse_payload: real provider payloads from tests/fixtures/providers in, JSON
 * out. Compiled with -Wall -Wextra -Werror and run under ASan/UBSan by tests/c/run.sh from the
 * repository root. Prints "N passed, N failed". */
#include "omni.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* Reads a fixture file; the caller frees it. */
static uint8_t *read_fixture(const char *provider, const char *name, size_t *len) {
    char path[512];
    snprintf(path, sizeof path, "tests/fixtures/providers/%s/%s", provider, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)size + 1);
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    fclose(f);
    *len = (size_t)size;
    return buf;
}

/* Parses a fixture and checks that the JSON result contains every expected fragment. */
static void expect_contains(const char *provider, const char *file, const char *options, const char *const *fragments) {
    size_t len = 0;
    uint8_t *payload = read_fixture(provider, file, &len);
    char *json = NULL;
    OmniStatus st = omni_parse_payload(S(provider), payload, len, (const uint8_t *)options, options ? strlen(options) : 0, &json);
    CHECK(st == OMNI_STATUS_OK, "%s/%s: status %u (%s)", provider, file, (unsigned)st, last_error());
    if (st == OMNI_STATUS_OK) {
        for (const char *const *f = fragments; *f; f++) {
            CHECK(strstr(json, *f) != NULL, "%s/%s: %s not in %s", provider, file, *f, json);
        }
    }
    omni_string_free(json);
    free(payload);
}

static void test_messages_with_normalised_identifiers(void) {
    const char *wa[] = {"\"provider\":\"whatsapp\"", "{\"kind\":\"whatsapp\",\"value\":\"79123456789\"}",
                        "{\"kind\":\"phone\",\"value\":\"+79123456789\"}", "\"display_name\":\"Анна Смирнова\"",
                        "\"event_id\":\"wamid.HBgLNzkxMjM0NTY3ODkVAgASGBQzQUE01\"", NULL};
    expect_contains("whatsapp", "text.json", NULL, wa);
    const char *tg[] = {"{\"kind\":\"telegram_id\",\"value\":\"5551234567\"}",
                        "{\"kind\":\"telegram_username\",\"value\":\"anna_smirnova\"}", "\"id\":\"5551234567:101\"", NULL};
    expect_contains("telegram", "message_text.json", NULL, tg);
    const char *koi[] = {"\"subject\":\"Договор\"", "Пришлите, пожалуйста, договор.", NULL};
    expect_contains("email", "koi8r.eml", NULL, koi);
    const char *form[] = {"\"channel\":\"web_form\"", "{\"kind\":\"phone\",\"value\":\"+79165551234\"}", "\"display_name\":\"Иван Петров\"", NULL};
    expect_contains("web_form", "json_ru.json", "{\"local_offset\": \"+03:00\"}", form);
}

static void test_typed_events(void) {
    const char *status[] = {"\"type\":\"status\"", "\"status\":\"read\"", "\"messages\":[]", NULL};
    expect_contains("whatsapp", "status_read.json", NULL, status);
    const char *consent[] = {"\"type\":\"consent\"", "\"consent\":\"opt_out\"", "\"reason\":\"unsubscribed\"", NULL};
    expect_contains("viber", "unsubscribed.json", NULL, consent);
    const char *deny[] = {"\"consent\":\"opt_out\"", "\"timestamp\":\"2024-05-01T07:00:00Z\"", NULL};
    expect_contains("vk", "message_deny.json", "{\"received_at\": \"2024-05-01T07:00:00Z\"}", deny);
    const char *confirm[] = {"{\"type\":\"confirmation\",\"group_id\":\"218765432\"}", NULL};
    expect_contains("vk", "confirmation.json", NULL, confirm);
    const char *change[] = {"\"type\":\"contact_change\"", "{\"kind\":\"phone\",\"value\":\"+79261234567\"}", NULL};
    expect_contains("whatsapp", "system_changed_number.json", NULL, change);
    const char *missed[] = {"\"type\":\"call\"", "\"outcome\":\"missed\"", "\"channel\":\"voice\"", NULL};
    expect_contains("call", "twilio_voice_no_answer.form", NULL, missed);
    const char *ignored[] = {"{\"type\":\"ignored\"", "\"kind\":\"poll_answer\"", NULL};
    expect_contains("telegram", "poll_answer.json", NULL, ignored);
    /* Twilio sends no time: received_at defaults to now in the C API. */
    const char *stop[] = {"\"consent\":\"opt_out\"", "\"channel\":\"sms\"", NULL};
    expect_contains("twilio", "inbound_stop.form", NULL, stop);
}

static void test_errors(void) {
    size_t len = 0;
    uint8_t *payload = read_fixture("whatsapp", "bad_timestamp.json", &len);
    char *json = (char *)0x1;
    OmniStatus st = omni_parse_payload(S("whatsapp"), payload, len, NULL, 0, &json);
    CHECK(st == OMNI_STATUS_INVALID_FIELD, "bad timestamp: status %u", (unsigned)st);
    CHECK(json == (char *)0x1, "output untouched on failure");
    CHECK(strstr(last_error(), "whatsapp: entry[0].changes[0].value.messages[0].timestamp") == last_error(),
          "error names provider and path: %s", last_error());
    free(payload);

    json = NULL;
    st = omni_parse_payload(S("pigeon"), S("{}"), NULL, 0, &json);
    CHECK(st == OMNI_STATUS_INVALID_ARGUMENT, "unknown provider: status %u", (unsigned)st);
    CHECK(strstr(last_error(), "whatsapp") != NULL, "the message lists the providers: %s", last_error());

    st = omni_parse_payload(S("telegram"), S("{\"update_id\": 1, \"message\": "), NULL, 0, &json);
    CHECK(st == OMNI_STATUS_INVALID_JSON, "truncated JSON: status %u", (unsigned)st);

    st = omni_parse_payload(S("call"), S("{}"), S("{\"local_offset\": \"MSK\"}"), &json);
    CHECK(st == OMNI_STATUS_INVALID_ARGUMENT, "bad option: status %u (%s)", (unsigned)st, last_error());

    st = omni_parse_payload(S("email"), S("From: a@example.com\r\n\r\nhi"), NULL, 0, NULL);
    CHECK(st == OMNI_STATUS_INVALID_ARGUMENT, "NULL output: status %u", (unsigned)st);

    const uint8_t garbage[] = {0xff, 0xfe, 0x00, 0x01};
    st = omni_parse_payload(S("viber"), garbage, sizeof garbage, NULL, 0, &json);
    CHECK(st == OMNI_STATUS_INVALID_JSON, "binary garbage: status %u", (unsigned)st);
    CHECK(json == NULL, "no output on failure");
}

/* Provider retries: the same payload twice through one seen-events handle. */
static void test_seen_events(void) {
    OmniSeenEvents *seen = NULL;
    CHECK(omni_seen_events_new(100, &seen) == OMNI_STATUS_OK && seen, "new: %s", last_error());
    size_t len = 0;
    uint8_t *payload = read_fixture("telegram", "message_text.json", &len);
    char *json = NULL;
    OmniStatus st = omni_parse_payload_seen(seen, S("telegram"), payload, len, NULL, 0, &json);
    CHECK(st == OMNI_STATUS_OK, "first: %s", last_error());
    if (st == OMNI_STATUS_OK) {
        CHECK(strstr(json, "\"duplicates\":[]") != NULL, "first has no duplicates: %s", json);
        CHECK(strstr(json, "\"messages\":[{") != NULL, "first keeps the message: %s", json);
        omni_string_free(json);
    }
    json = NULL;
    st = omni_parse_payload_seen(seen, S("telegram"), payload, len, NULL, 0, &json);
    CHECK(st == OMNI_STATUS_OK, "retry: %s", last_error());
    if (st == OMNI_STATUS_OK) {
        CHECK(strstr(json, "\"messages\":[]") != NULL, "retry drops the message: %s", json);
        CHECK(strstr(json, "\"duplicates\":[\"") != NULL, "retry names the duplicate: %s", json);
        omni_string_free(json);
    }
    free(payload);

    bool fresh = false, known = true;
    CHECK(omni_seen_events_insert(seen, S("vk"), S("evt-1"), &fresh) == OMNI_STATUS_OK && fresh, "insert new");
    CHECK(omni_seen_events_insert(seen, S("vk"), S("evt-1"), &fresh) == OMNI_STATUS_OK && !fresh, "insert again");
    CHECK(omni_seen_events_contains(seen, S("telegram"), S("evt-1"), &known) == OMNI_STATUS_OK && !known,
          "another provider's id is another event");
    size_t n = 0, capacity = 0;
    CHECK(omni_seen_events_len(seen, &n, &capacity) == OMNI_STATUS_OK && n == 2 && capacity == 100,
          "len %zu capacity %zu", n, capacity);

    /* Saved and restored, it still knows the ids. */
    char *saved = NULL;
    CHECK(omni_seen_events_to_json(seen, &saved) == OMNI_STATUS_OK && saved, "to_json: %s", last_error());
    OmniSeenEvents *back = NULL;
    if (saved) {
        CHECK(omni_seen_events_from_json((const uint8_t *)saved, strlen(saved), &back) == OMNI_STATUS_OK && back,
              "from_json: %s", last_error());
        omni_string_free(saved);
    }
    known = false;
    CHECK(back && omni_seen_events_contains(back, S("vk"), S("evt-1"), &known) == OMNI_STATUS_OK && known,
          "restored handle knows evt-1");

    /* Errors: NULL handle, unknown provider, bad JSON; outputs untouched. */
    fresh = true;
    CHECK(omni_seen_events_insert(NULL, S("vk"), S("x"), &fresh) == OMNI_STATUS_INVALID_ARGUMENT && fresh,
          "NULL handle");
    CHECK(omni_seen_events_insert(seen, S("pigeon"), S("x"), &fresh) == OMNI_STATUS_INVALID_ARGUMENT,
          "unknown provider");
    OmniSeenEvents *bad = NULL;
    CHECK(omni_seen_events_from_json(S("{\"capacity\": \"x\"}"), &bad) == OMNI_STATUS_INVALID_JSON && bad == NULL,
          "bad JSON");
    json = NULL;
    CHECK(omni_parse_payload_seen(seen, S("telegram"), S("{not json"), NULL, 0, &json) == OMNI_STATUS_INVALID_JSON &&
              json == NULL,
          "a payload that does not parse");

    omni_seen_events_free(back);
    omni_seen_events_free(seen);
    omni_seen_events_free(NULL);
}

int main(void) {
    test_messages_with_normalised_identifiers();
    test_typed_events();
    test_errors();
    test_seen_events();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
