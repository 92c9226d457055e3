/* C tests of the omni C API: real calls through the header, compiled with -Wall -Wextra -Werror
 * and run under AddressSanitizer by tests/c/run.sh. Prints "N passed, N failed". */
#include "omni.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static void test_version_and_error_names(void) {
    CHECK(strlen(omni_version()) > 0, "version is empty");
    CHECK(strcmp(omni_error_kind_name(OMNI_STATUS_OK), "ok") == 0, "name of 0");
    CHECK(strcmp(omni_error_kind_name(OMNI_STATUS_INVALID_PHONE), "invalid_phone") == 0, "name of invalid_phone");
    CHECK(strcmp(omni_error_kind_name(OMNI_STATUS_FIELD_MISSING), "field_missing") == 0, "name of field_missing");
    CHECK(omni_error_kind_name(9999) == NULL, "unknown code has no name");
}

static void expect_phone(const char *input, const char *region, const char *e164, const char *want_region,
                         OmniPhoneKind kind, const char *extension) {
    OmniPhone phone;
    OmniStatus st = omni_normalize_phone(S(input), (const uint8_t *)region, region ? strlen(region) : 0, &phone);
    CHECK(st == OMNI_STATUS_OK, "%s: status %u (%s)", input, (unsigned)st, last_error());
    if (st != OMNI_STATUS_OK) return;
    CHECK(strcmp(phone.e164, e164) == 0, "%s: e164 %s, want %s", input, phone.e164, e164);
    if (want_region) CHECK(strcmp(phone.region, want_region) == 0, "%s: region %s, want %s", input, phone.region, want_region);
    if (kind != OMNI_PHONE_KIND_UNKNOWN) CHECK(phone.kind == kind, "%s: kind %u, want %u", input, (unsigned)phone.kind, (unsigned)kind);
    CHECK(strcmp(phone.extension, extension) == 0, "%s: extension %s, want %s", input, phone.extension, extension);
}

static void test_phones(void) {
    expect_phone("+7 (912) 345-67-89", "RU", "+79123456789", "RU", OMNI_PHONE_KIND_UNKNOWN, "");
    expect_phone("8 912 345 67 89", NULL, "+79123456789", "RU", OMNI_PHONE_KIND_UNKNOWN, "");
    expect_phone("9123456789", "RU", "+79123456789", "RU", OMNI_PHONE_KIND_UNKNOWN, "");
    expect_phone("+7 (912) 345-67-89 ext. 45", "RU", "+79123456789", "RU", OMNI_PHONE_KIND_UNKNOWN, "45");

    OmniPhone phone;
    memset(&phone, 0x5a, sizeof phone);
    OmniStatus st = omni_normalize_phone(S("not a phone"), NULL, 0, &phone);
    CHECK(st == OMNI_STATUS_INVALID_PHONE, "garbage: status %u", (unsigned)st);
    CHECK(omni_last_error_code() == OMNI_STATUS_INVALID_PHONE, "last error code %u", omni_last_error_code());
    CHECK(strstr(last_error(), "not a phone") != NULL, "message names the input: %s", last_error());
    CHECK((unsigned char)phone.e164[0] == 0x5a, "output untouched on failure");

    st = omni_normalize_phone(S("8 912 345 67 89"), S("XX"), &phone);
    CHECK(st == OMNI_STATUS_INVALID_ARGUMENT, "unknown region: status %u", (unsigned)st);

    const uint8_t bad_utf8[] = {'8', '9', 0xff, 0xfe, '1'};
    st = omni_normalize_phone(bad_utf8, sizeof bad_utf8, NULL, 0, &phone);
    CHECK(st == OMNI_STATUS_INVALID_UTF8, "invalid UTF-8: status %u", (unsigned)st);
    CHECK(strstr(last_error(), "byte 2") != NULL, "UTF-8 error names the offset: %s", last_error());

    st = omni_normalize_phone(NULL, 5, NULL, 0, &phone);
    CHECK(st == OMNI_STATUS_INVALID_ARGUMENT, "NULL text with length: status %u", (unsigned)st);
    st = omni_normalize_phone(S("89123456789"), NULL, 0, NULL);
    CHECK(st == OMNI_STATUS_INVALID_ARGUMENT, "NULL output: status %u", (unsigned)st);

    char big[4096];
    memset(big, '9', sizeof big);
    st = omni_normalize_phone((const uint8_t *)big, sizeof big, NULL, 0, &phone);
    CHECK(st == OMNI_STATUS_INPUT_TOO_LARGE, "huge input: status %u", (unsigned)st);
}

static void test_phone_normalizer_batch(void) {
    OmniPhoneNormalizer *kz = NULL;
    OmniStatus st = omni_phone_normalizer_new(S("KZ"), &kz);
    CHECK(st == OMNI_STATUS_OK && kz != NULL, "normalizer_new KZ: %u", (unsigned)st);
    if (!kz) return;
    const char *inputs[] = {"8 701 234 5678", "garbage", "+7 912 345-67-89", ""};
    enum { N = sizeof inputs / sizeof inputs[0] };
    OmniStr texts[N];
    for (size_t i = 0; i < N; i++) {
        texts[i].ptr = (const uint8_t *)inputs[i];
        texts[i].len = strlen(inputs[i]);
    }
    OmniPhone phones[N];
    OmniStatus statuses[N];
    st = omni_phone_normalizer_normalize_many(kz, texts, N, phones, statuses);
    CHECK(st == OMNI_STATUS_OK, "normalize_many: %u (%s)", (unsigned)st, last_error());
    CHECK(statuses[0] == OMNI_STATUS_OK && strcmp(phones[0].e164, "+77012345678") == 0, "KZ national: %s", phones[0].e164);
    CHECK(statuses[1] == OMNI_STATUS_INVALID_PHONE, "garbage in batch: %u", (unsigned)statuses[1]);
    CHECK(statuses[2] == OMNI_STATUS_OK && strcmp(phones[2].e164, "+79123456789") == 0, "RU under KZ: %s", phones[2].e164);
    CHECK(statuses[3] == OMNI_STATUS_INVALID_PHONE, "empty in batch: %u", (unsigned)statuses[3]);

    OmniPhone one;
    st = omni_phone_normalizer_normalize(kz, S("+7 701 234 56 78"), &one);
    CHECK(st == OMNI_STATUS_OK && strcmp(one.e164, "+77012345678") == 0, "normalizer_normalize: %s", one.e164);
    omni_phone_normalizer_free(kz);
    omni_phone_normalizer_free(NULL);
}

static int contains(const char *haystack, const char *needle) { return haystack && strstr(haystack, needle) != NULL; }

static void test_email_name_handles(void) {
    char *json = NULL;
    OmniStatus st = omni_normalize_email(S("  Ivan.Petrov@Example.COM "), &json);
    CHECK(st == OMNI_STATUS_OK, "email: %u (%s)", (unsigned)st, last_error());
    CHECK(contains(json, "\"original\":\"Ivan.Petrov@Example.COM\""), "email original: %s", json);
    CHECK(contains(json, "\"canonical\":\"ivan.petrov@example.com\""), "email canonical: %s", json);
    omni_string_free(json);
    json = NULL;
    st = omni_normalize_email(S("ivan@@example"), &json);
    CHECK(st == OMNI_STATUS_INVALID_EMAIL && json == NULL, "bad email: %u", (unsigned)st);

    st = omni_normalize_name(S("  Иванов   Иван "), &json);
    CHECK(st == OMNI_STATUS_OK && contains(json, "\"original\":\"Иванов   Иван\""), "name: %s", json ? json : last_error());
    omni_string_free(json);
    json = NULL;

    double similarity = -1;
    st = omni_name_similarity(S("Иван Петров"), S("Иван Петров"), &similarity);
    CHECK(st == OMNI_STATUS_OK && similarity == 1.0, "same name similarity %f", similarity);
    st = omni_name_similarity(S("Иван Петров"), S("Сергей Смирнов"), &similarity);
    CHECK(st == OMNI_STATUS_OK && similarity < 0.5, "different names similarity %f", similarity);

    st = omni_normalize_handle(S("telegram_username"), S("@Ivan_Petrov"), &json);
    CHECK(st == OMNI_STATUS_OK && contains(json, "\"value\":\"ivan_petrov\""), "telegram handle: %s", json ? json : last_error());
    omni_string_free(json);
    json = NULL;
    st = omni_normalize_handle(S("fax"), S("123"), &json);
    CHECK(st == OMNI_STATUS_INVALID_ARGUMENT, "unknown handle kind: %u", (unsigned)st);
    omni_string_free(NULL);
}

static void test_extract(void) {
    char *json = NULL;
    OmniStatus st = omni_extract_contacts(S("пишите на ivan@example.com"), NULL, 0, &json);
    CHECK(st == OMNI_STATUS_OK && json != NULL && json[0] == '[', "extract: %s", json ? json : last_error());
    omni_string_free(json);
}

static void test_messages(void) {
    const char *good =
        "{\"id\":\"m1\",\"channel\":\"wa\",\"direction\":\"inbound\",\"timestamp\":1714546800000,"
        "\"from\":{\"identifiers\":[{\"kind\":\"phone\",\"value\":\"+79123456789\"}]},\"text\":\"Хочу купить\"}";
    char *json = NULL;
    OmniStatus st = omni_message_parse(S(good), &json);
    CHECK(st == OMNI_STATUS_OK, "message parse: %u (%s)", (unsigned)st, last_error());
    CHECK(contains(json, "\"channel\":\"whatsapp\""), "alias resolved: %s", json);
    CHECK(contains(json, "\"timestamp\":\"2024-05-01T07:00:00Z\""), "timestamp in UTC: %s", json);
    omni_string_free(json);
    json = NULL;

    st = omni_message_parse(S("{\"id\":\"m1\",\"channel\":\"sms\",\"direction\":\"inbound\",\"timestamp\":\"вчера\"}"), &json);
    CHECK(st == OMNI_STATUS_INVALID_FIELD, "bad timestamp: %u", (unsigned)st);
    CHECK(contains(last_error(), "timestamp:"), "error names the field: %s", last_error());

    char batch[2048];
    snprintf(batch, sizeof batch, "%s\n{\"id\":\"m2\",\"channel\":\"sms\"}\n%s\n", good, good);
    st = omni_messages_parse((const uint8_t *)batch, strlen(batch), &json);
    CHECK(st == OMNI_STATUS_OK, "batch: %u (%s)", (unsigned)st, last_error());
    CHECK(contains(json, "\"rejections\":[{\"index\":1,\"id\":\"m2\",\"code\":201,\"kind\":\"field_missing\""),
          "batch rejection: %s", json);
    omni_string_free(json);

    st = omni_channel_properties(S("form"), &json);
    CHECK(st == OMNI_STATUS_OK && contains(json, "\"name\":\"web_form\"") && contains(json, "\"two_way\":false"),
          "channel properties: %s", json ? json : last_error());
    omni_string_free(json);
}

/* Identity resolution through the resolver handle: records in as JSON, customers, cards,
 * evidence, manual operations and snapshots out. */
static void test_resolver(void) {
    OmniResolver *r = NULL;
    OmniStatus st = omni_resolver_new(NULL, 0, &r);
    CHECK(st == OMNI_STATUS_OK && r != NULL, "resolver_new: %u (%s)", (unsigned)st, last_error());
    if (!r) return;
    char *json = NULL;
    const char *records =
        "{\"record_id\":\"crm-1\",\"channel\":\"crm\",\"seen_at\":\"2024-05-01T10:00:00+03:00\","
        "\"name\":\"Иван Петров\",\"phones\":[\"8 (912) 345-67-89\"]}\n"
        "{\"record_id\":\"wa-7\",\"channel\":\"whatsapp\",\"seen_at\":1714600000,"
        "\"phones\":[\"+7 912 345 67 89\"],\"emails\":[\"ivan.p@example.ru\"]}\n"
        "{\"record_id\":\"mail-3\",\"channel\":\"email\",\"seen_at\":1714700000,\"emails\":[\"Ivan.P@Example.ru\"]}\n"
        "{\"name\":\"no id\"}\n"
        "{\"record_id\":\"other\",\"phones\":[\"+79031112233\"]}\n";
    st = omni_resolver_add_many(r, S(records), &json);
    CHECK(st == OMNI_STATUS_OK, "add_many: %u (%s)", (unsigned)st, last_error());
    CHECK(contains(json, "[\"mail-3\",\"crm-1\"]"), "mail-3 joins crm-1: %s", json);
    CHECK(contains(json, "\"rejections\":[{\"index\":3,\"id\":null,\"code\":201,\"kind\":\"field_missing\""),
          "the record without an id is rejected by position: %s", json);
    CHECK(contains(json, "\"customers\":2"), "two customers: %s", json);
    omni_string_free(json);

    size_t nrecords = 0, ncustomers = 0;
    st = omni_resolver_counts(r, &nrecords, &ncustomers);
    CHECK(st == OMNI_STATUS_OK && nrecords == 4 && ncustomers == 2, "counts %zu %zu", nrecords, ncustomers);

    char *customer = NULL;
    st = omni_resolver_customer_of(r, S("wa-7"), &customer);
    CHECK(st == OMNI_STATUS_OK && customer && strcmp(customer, "crm-1") == 0, "customer_of: %s", customer ? customer : last_error());
    omni_string_free(customer);
    customer = NULL;
    st = omni_resolver_customer_of(r, S("nobody"), &customer);
    CHECK(st == OMNI_STATUS_NOT_FOUND && customer == NULL, "unknown id: %u", (unsigned)st);

    json = NULL;
    st = omni_resolver_customer(r, S("mail-3"), &json);
    CHECK(st == OMNI_STATUS_OK, "card: %u (%s)", (unsigned)st, last_error());
    CHECK(contains(json, "\"customer_id\":\"crm-1\"") && contains(json, "\"value\":\"+79123456789\"") &&
              contains(json, "\"name\":\"Иван Петров\""),
          "card content: %s", json);
    omni_string_free(json);

    json = NULL;
    st = omni_resolver_explain(r, S("crm-1"), S("wa-7"), &json);
    CHECK(st == OMNI_STATUS_OK && contains(json, "\"decision\":\"identifier\"") && contains(json, "\"field\":\"phone\""),
          "explain: %s", json ? json : last_error());
    omni_string_free(json);

    /* By hand: merge, then undo it. */
    json = NULL;
    st = omni_resolver_merge(r, S("other"), S("crm-1"), S("2024-06-01T00:00:00Z"), &json);
    CHECK(st == OMNI_STATUS_OK && contains(json, "\"by\":\"hand\"") && contains(json, "\"kind\":\"merge\""),
          "merge: %s", json ? json : last_error());
    const char *seq = json ? strstr(json, "\"seq\":") : NULL;
    unsigned long merge_seq = seq ? strtoul(seq + 6, NULL, 10) : 0;
    omni_string_free(json);
    json = NULL;
    st = omni_resolver_unmerge(r, merge_seq, NULL, 0, &json);
    CHECK(st == OMNI_STATUS_OK && contains(json, "\"kind\":\"split\""), "unmerge: %s", json ? json : last_error());
    omni_string_free(json);
    st = omni_resolver_counts(r, &nrecords, &ncustomers);
    CHECK(ncustomers == 2, "unmerge restores two customers: %zu", ncustomers);

    /* Snapshot and restore. */
    uint8_t *bytes = NULL;
    size_t len = 0;
    st = omni_resolver_snapshot(r, &bytes, &len);
    CHECK(st == OMNI_STATUS_OK && bytes && len > 12, "snapshot: %u", (unsigned)st);
    OmniResolver *back = NULL;
    st = omni_resolver_restore(bytes, len, &back);
    CHECK(st == OMNI_STATUS_OK && back, "restore: %u (%s)", (unsigned)st, last_error());
    if (back) {
        customer = NULL;
        st = omni_resolver_customer_of(back, S("mail-3"), &customer);
        CHECK(st == OMNI_STATUS_OK && customer && strcmp(customer, "crm-1") == 0, "restored customer_of");
        omni_string_free(customer);
        omni_resolver_free(back);
    }
    if (bytes && len > 20) bytes[len - 1] ^= 1;
    back = NULL;
    st = omni_resolver_restore(bytes, len, &back);
    CHECK(st == OMNI_STATUS_INVALID_SNAPSHOT && back == NULL, "corrupted snapshot: %u", (unsigned)st);
    omni_bytes_free(bytes, len);
    omni_bytes_free(NULL, 0);

    json = NULL;
    st = omni_resolver_add(r, S("{\"record_id\":\"x\",\"seen_at\":\"вчера\"}"), &json);
    CHECK(st == OMNI_STATUS_INVALID_FIELD && contains(last_error(), "seen_at"), "bad record: %u %s", (unsigned)st, last_error());
    st = omni_resolver_new(S("{\"default_region\":\"XX\"}"), &back);
    CHECK(st == OMNI_STATUS_INVALID_ARGUMENT && contains(last_error(), "default_region"), "bad config: %s", last_error());
    omni_resolver_free(r);
    omni_resolver_free(NULL);
}

int main(void) {
    test_version_and_error_names();
    test_phones();
    test_phone_normalizer_batch();
    test_email_name_handles();
    test_extract();
    test_messages();
    test_resolver();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
