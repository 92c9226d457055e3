/* C tests of the customer 360 engine handle: ingest across channels, card, find in any
 * format, timeline, conversation, routing with consent, manual merge/split, erasure proven on
 * snapshot bytes, snapshots (round trip, corrupted), bad input, the sample inbox as a batch.
 * Compiled with -Wall -Wextra -Werror and run under AddressSanitizer by tests/c/run.sh (from
 * the repository root). Prints "N passed, N failed". */
#include "omni.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static int has(const char *json, const char *needle) { return json && strstr(json, needle) != NULL; }

static int bytes_have(const uint8_t *hay, size_t n, const char *needle) {
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0) return 1;
    return 0;
}

static const char *MESSAGES[] = {
    "{\"id\":\"form-1\",\"channel\":\"web_form\",\"direction\":\"inbound\",\"timestamp\":\"2024-05-01T07:00:00Z\","
    "\"text\":\"Хочу заказать угловой диван, перезвоните\",\"form_fields\":{\"Имя\":\"Анна Смирнова\","
    "\"Телефон\":\"8 (912) 345-67-89\",\"E-mail\":\"anna.smirnova@mail.ru\"}}",
    "{\"id\":\"wa-1\",\"channel\":\"whatsapp\",\"direction\":\"outbound\",\"timestamp\":\"2024-05-01T07:30:00Z\","
    "\"to\":{\"identifiers\":[{\"kind\":\"whatsapp\",\"value\":\"79123456789\"},{\"kind\":\"phone\",\"value\":\"+79123456789\"}]},"
    "\"text\":\"Анна, отправили подборку диванов\",\"status\":\"read\"}",
    "{\"id\":\"wa-2\",\"channel\":\"whatsapp\",\"direction\":\"inbound\",\"timestamp\":\"2024-05-01T07:35:00Z\","
    "\"from\":{\"identifiers\":[{\"kind\":\"whatsapp\",\"value\":\"79123456789\"},{\"kind\":\"phone\",\"value\":\"+79123456789\"}]},"
    "\"text\":\"Сколько стоит доставка в Пермь?\"}",
    "{\"id\":\"sms-1\",\"channel\":\"sms\",\"direction\":\"inbound\",\"timestamp\":\"2024-05-02T07:35:00Z\","
    "\"from\":{\"identifiers\":[{\"kind\":\"phone\",\"value\":\"+79035556677\"}]},\"text\":\"СТОП\"}",
};

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    fclose(f);
    buf[got] = '\0';
    *len = got;
    return buf;
}

int main(void) {
    OmniEngine *engine = NULL;
    char *json = NULL;
    OmniStatus st = omni_engine_new(NULL, 0, &engine);
    CHECK(st == OMNI_STATUS_OK && engine, "new: %s", last_error());

    for (size_t i = 0; i < sizeof MESSAGES / sizeof *MESSAGES; i++) {
        st = omni_engine_ingest(engine, S(MESSAGES[i]), &json);
        CHECK(st == OMNI_STATUS_OK, "ingest %zu: %s", i, last_error());
        if (i == 0) CHECK(has(json, "\"kind\":\"new_lead\""), "form is a new lead: %s", json);
        if (i == 2) {
            CHECK(has(json, "\"customer_id\":\"form-1\""), "WhatsApp joins the form's customer: %s", json);
            CHECK(has(json, "\"known_customer\":true"), "known: %s", json);
        }
        if (i == 3) CHECK(has(json, "\"action\":\"opt_out\""), "STOP is an opt-out entry: %s", json);
        omni_string_free(json);
        json = NULL;
    }

    /* A late message that is earlier than the customer's first one relabels that one. */
    {
        OmniEngine *late = NULL;
        CHECK(omni_engine_new(NULL, 0, &late) == OMNI_STATUS_OK, "new: %s", last_error());
        st = omni_engine_ingest(late, S(MESSAGES[2]), &json);
        CHECK(st == OMNI_STATUS_OK && has(json, "\"kind\":\"new_lead\""), "WhatsApp first: %s", json ? json : last_error());
        omni_string_free(json);
        st = omni_engine_ingest(late, S(MESSAGES[0]), &json);
        CHECK(st == OMNI_STATUS_OK && has(json, "\"relabeled\":[\"wa-2\"]"), "form relabels wa-2: %s",
              json ? json : last_error());
        omni_string_free(json);
        json = NULL;
        omni_engine_free(late);
    }

    /* Ingesting the same message again is a duplicate. */
    st = omni_engine_ingest(engine, S(MESSAGES[2]), &json);
    CHECK(st == OMNI_STATUS_OK && has(json, "\"status\":\"duplicate\""), "duplicate: %s", json ? json : last_error());
    omni_string_free(json);

    st = omni_engine_customer(engine, S("wa-2"), &json);
    CHECK(st == OMNI_STATUS_OK && has(json, "\"customer_id\":\"form-1\"") && has(json, "+79123456789"),
          "card: %s", json ? json : last_error());
    CHECK(has(json, "\"preferred_channel\":\"whatsapp\""), "preferred whatsapp: %s", json);
    omni_string_free(json);

    st = omni_engine_find(engine, S("8 912 345-67-89"), &json);
    CHECK(st == OMNI_STATUS_OK && has(json, "\"customer_id\":\"form-1\""), "find: %s", json ? json : last_error());
    omni_string_free(json);

    st = omni_engine_timeline(engine, S("form-1"), &json);
    CHECK(st == OMNI_STATUS_OK && has(json, "\"id\":\"wa-1\""), "timeline: %s", json ? json : last_error());
    omni_string_free(json);

    st = omni_engine_conversation(engine, S("form-1"), &json);
    CHECK(st == OMNI_STATUS_OK && has(json, "\"message_ids\":[\"form-1\",\"wa-1\",\"wa-2\"]"), "conversation: %s",
          json ? json : last_error());
    omni_string_free(json);

    st = omni_engine_route(engine, S("form-1"), S("transactional"), S("2024-05-03T09:00:00Z"), &json);
    CHECK(st == OMNI_STATUS_OK && has(json, "\"best\":{\"channel\":\"whatsapp\""), "route: %s", json ? json : last_error());
    omni_string_free(json);
    st = omni_engine_route(engine, S("sms-1"), S("marketing"), NULL, 0, &json);
    CHECK(st == OMNI_STATUS_OK && has(json, "opted out"), "route after STOP: %s", json ? json : last_error());
    omni_string_free(json);
    json = NULL;
    st = omni_engine_route(engine, S("form-1"), S("spam"), NULL, 0, &json);
    CHECK(st == OMNI_STATUS_INVALID_ARGUMENT && json == NULL, "bad purpose: %d", (int)st);

    /* Manual merge and split. */
    st = omni_engine_merge(engine, S("form-1"), S("sms-1"), &json);
    CHECK(st == OMNI_STATUS_OK && has(json, "\"kind\":\"merge\""), "merge: %s", json ? json : last_error());
    omni_string_free(json);
    st = omni_engine_split(engine, S("form-1"), S("[\"sms-1\"]"), &json);
    CHECK(st == OMNI_STATUS_OK && has(json, "\"kind\":\"split\""), "split: %s", json ? json : last_error());
    omni_string_free(json);
    st = omni_engine_never_merge(engine, S("form-1"), S("sms-1"), &json);
    CHECK(st == OMNI_STATUS_OK, "never merge: %s", last_error());
    omni_string_free(json);
    json = NULL;
    st = omni_engine_customer(engine, S("nobody"), &json);
    CHECK(st == OMNI_STATUS_NOT_FOUND && json == NULL, "unknown customer: %d", (int)st);

    st = omni_engine_analytics(engine, &json);
    CHECK(st == OMNI_STATUS_OK && has(json, "\"customers_after\":2"), "analytics: %s", json ? json : last_error());
    omni_string_free(json);
    st = omni_engine_leads(engine, &json);
    CHECK(st == OMNI_STATUS_OK && has(json, "\"message_id\":\"form-1\""), "leads: %s", json ? json : last_error());
    omni_string_free(json);

    /* Bad input: nothing changes. */
    json = NULL;
    st = omni_engine_ingest(engine, S("{\"id\":\"\",\"channel\":\"sms\",\"direction\":\"inbound\",\"timestamp\":\"2024-05-01T07:00:00Z\"}"), &json);
    CHECK(st == OMNI_STATUS_FIELD_MISSING && json == NULL, "no id: %d %s", (int)st, last_error());
    st = omni_engine_ingest(engine, S("not json"), &json);
    CHECK(st == OMNI_STATUS_INVALID_JSON, "not json: %d", (int)st);
    const uint8_t bad_utf8[] = {'{', 0xff, '}'};
    st = omni_engine_ingest(engine, bad_utf8, sizeof bad_utf8, &json);
    CHECK(st == OMNI_STATUS_INVALID_UTF8, "bad utf8: %d", (int)st);
    st = omni_engine_ingest(NULL, S(MESSAGES[0]), &json);
    CHECK(st == OMNI_STATUS_INVALID_ARGUMENT, "NULL handle: %d", (int)st);

    /* Snapshot, restore, and corrupted bytes. */
    uint8_t *snap = NULL;
    size_t snap_len = 0;
    st = omni_engine_snapshot(engine, &snap, &snap_len);
    CHECK(st == OMNI_STATUS_OK && snap_len > 12 && memcmp(snap, "OMNIENG4", 8) == 0, "snapshot: %s", last_error());
    OmniEngine *copy = NULL;
    st = omni_engine_restore(snap, snap_len, &copy);
    CHECK(st == OMNI_STATUS_OK && copy, "restore: %s", last_error());
    snap[snap_len / 2] ^= 0x20;
    OmniEngine *broken = NULL;
    st = omni_engine_restore(snap, snap_len, &broken);
    CHECK(st == OMNI_STATUS_INVALID_SNAPSHOT && broken == NULL, "corrupted: %d", (int)st);
    omni_bytes_free(snap, snap_len);

    /* Forget: nothing of Анна remains in a later snapshot. */
    st = omni_engine_forget(copy, S("wa-2"), &json);
    CHECK(st == OMNI_STATUS_OK && has(json, "\"messages\":3"), "forget: %s", json ? json : last_error());
    omni_string_free(json);
    st = omni_engine_snapshot(copy, &snap, &snap_len);
    CHECK(st == OMNI_STATUS_OK, "snapshot after forget: %s", last_error());
    CHECK(!bytes_have(snap, snap_len, "79123456789") && !bytes_have(snap, snap_len, "anna.smirnova") &&
              !bytes_have(snap, snap_len, "Смирнова"),
          "erased data left in the snapshot");
    CHECK(bytes_have(snap, snap_len, "79035556677"), "the other customer stays");
    omni_bytes_free(snap, snap_len);
    omni_engine_free(copy);
    omni_engine_free(engine);

    /* The sample inbox as one batch. */
    size_t len = 0;
    char *inbox = read_file("examples/data/inbox.jsonl", &len);
    CHECK(inbox != NULL, "read examples/data/inbox.jsonl");
    if (inbox) {
        st = omni_engine_new(S("{\"default_region\":\"RU\"}"), &engine);
        CHECK(st == OMNI_STATUS_OK, "new with config: %s", last_error());
        st = omni_engine_ingest_many(engine, (const uint8_t *)inbox, len, &json);
        CHECK(st == OMNI_STATUS_OK && has(json, "\"rejections\":[]") && has(json, "\"customers\":"),
              "batch: %s", json ? "(long)" : last_error());
        omni_string_free(json);
        omni_engine_free(engine);
        free(inbox);
    }
    st = omni_engine_new(S("{\"nope\":1}"), &engine);
    CHECK(st == OMNI_STATUS_INVALID_JSON, "bad config: %d", (int)st);
    omni_engine_free(NULL);

    printf("test_engine: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
