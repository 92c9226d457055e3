/* C tests of lead triage through the omni C API: the built-in classifier, JSON inputs, batches,
 * training, saving and loading a model, evaluation, and bad input. Compiled with -Wall -Wextra
 * -Werror and run under AddressSanitizer by tests/c/run.sh. Prints "N passed, N failed". */
#include "omni.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* Classifies text on a channel and checks that the JSON holds every expected fragment. */
static void expect_text(const OmniClassifier *c, const char *text, const char *channel, bool known,
                        const char *want1, const char *want2) {
    char *json = NULL;
    OmniStatus st = omni_classify_text(c, S(text), S(channel), known, &json);
    CHECK(st == OMNI_STATUS_OK, "%s: status %u (%s)", text, (unsigned)st, last_error());
    if (st != OMNI_STATUS_OK) return;
    CHECK(strstr(json, want1) != NULL, "%s: want %s in %s", text, want1, json);
    if (want2) CHECK(strstr(json, want2) != NULL, "%s: want %s in %s", text, want2, json);
    omni_string_free(json);
}

static void test_builtin_rules(void) {
    expect_text(NULL, "Здравствуйте! Сколько стоит доставка в Казань?", "whatsapp", false,
                "\"kind\":\"new_lead\"", "\"price\"");
    expect_text(NULL, "STOP", "sms", false, "\"kind\":\"opt_out\"", "\"opt_out_channel\":\"sms\"");
    expect_text(NULL, "не звоните мне больше", "whatsapp", false, "\"kind\":\"opt_out\"",
                "\"opt_out_channel\":\"voice\"");
    expect_text(NULL, "Хочу повторить прошлый заказ, те же розы", "whatsapp", true,
                "\"kind\":\"existing_customer\"", "\"sales_opportunity\":true");
    expect_text(NULL, "красиво 😍", "instagram", false, "\"kind\":\"not_applicable\"", NULL);
    expect_text(NULL, "хочу такую же 😍", "instagram", false, "\"kind\":\"new_lead\"", NULL);
    expect_text(NULL, "Перезвоните мне, +7 916 123-45-67", "whatsapp", false,
                "\"value\":\"+79161234567\"", "\"name\":\"contact\"");

    char *json = NULL;
    OmniStatus st = omni_classify(NULL, S("{\"channel\": \"voice\", \"call_status\": \"missed\"}"), &json);
    CHECK(st == OMNI_STATUS_OK, "missed call: status %u (%s)", (unsigned)st, last_error());
    if (st == OMNI_STATUS_OK) {
        CHECK(strstr(json, "\"kind\":\"new_lead\"") != NULL, "missed call is a lead: %s", json);
        CHECK(strstr(json, "\"callback\"") != NULL, "missed call wants a callback: %s", json);
        omni_string_free(json);
    }
    json = NULL;
    st = omni_classify(NULL, S("{\"text\": \"Ваш заказ готов\", \"channel\": \"sms\", \"direction\": \"outbound\"}"), &json);
    CHECK(st == OMNI_STATUS_OK && strstr(json, "\"kind\":\"not_applicable\"") != NULL, "outbound: %s",
          json ? json : last_error());
    omni_string_free(json);
}

static void test_batch_and_region(void) {
    OmniClassifier *kz = NULL;
    OmniStatus st = omni_classifier_new(S("KZ"), &kz);
    CHECK(st == OMNI_STATUS_OK && kz != NULL, "classifier for KZ: %u (%s)", (unsigned)st, last_error());
    char *json = NULL;
    st = omni_classify_many(kz, S("[{\"text\": \"price pls\", \"channel\": \"instagram\"}, {\"text\": \"unsubscribe\", \"channel\": \"email\"}]"), &json);
    CHECK(st == OMNI_STATUS_OK, "batch: %u (%s)", (unsigned)st, last_error());
    if (st == OMNI_STATUS_OK) {
        const char *first = strstr(json, "\"kind\":\"new_lead\"");
        const char *second = strstr(json, "\"kind\":\"opt_out\"");
        CHECK(json[0] == '[' && first && second && first < second, "two assessments in order: %s", json);
        omni_string_free(json);
    }
    json = NULL;
    st = omni_classify_many(kz, S("[{\"text\": \"hi\", \"chanel\": \"sms\"}]"), &json);
    CHECK(st == OMNI_STATUS_INVALID_FIELD, "misspelt field: status %u", (unsigned)st);
    CHECK(strstr(last_error(), "inputs[0]") != NULL, "error names the record: %s", last_error());
    CHECK(json == NULL, "no output on failure");
    omni_classifier_free(kz);
    omni_classifier_free(NULL);

    st = omni_classifier_new(S("XX"), &kz);
    CHECK(st == OMNI_STATUS_INVALID_ARGUMENT, "unknown region: status %u", (unsigned)st);
}

static const char *EXAMPLES =
    "[{\"text\": \"хочу купить диван\", \"channel\": \"whatsapp\", \"kind\": \"new_lead\", \"intents\": [\"purchase\"]},"
    " {\"text\": \"сколько стоит кресло\", \"channel\": \"whatsapp\", \"kind\": \"new_lead\", \"intents\": [\"price\"]},"
    " {\"text\": \"заработок без вложений по ссылке\", \"channel\": \"telegram\", \"kind\": \"spam\"},"
    " {\"text\": \"казино бонус ставки\", \"channel\": \"telegram\", \"kind\": \"spam\"}]";

static void test_train_save_load_evaluate(void) {
    OmniClassifier *trained = NULL;
    OmniStatus st = omni_classifier_train(S(EXAMPLES), S("{\"hash_bits\": 12, \"epochs\": 20}"), &trained);
    CHECK(st == OMNI_STATUS_OK, "train: %u (%s)", (unsigned)st, last_error());
    if (st != OMNI_STATUS_OK) return;
    expect_text(trained, "хочу купить стол", "whatsapp", false, "\"kind\":\"new_lead\"", NULL);

    uint8_t *bytes = NULL;
    size_t len = 0;
    st = omni_classifier_model_bytes(trained, &bytes, &len);
    CHECK(st == OMNI_STATUS_OK && len > 16, "model bytes: %u, %zu bytes", (unsigned)st, len);
    OmniClassifier *loaded = NULL;
    st = omni_classifier_from_model(bytes, len, &loaded);
    CHECK(st == OMNI_STATUS_OK, "load: %u (%s)", (unsigned)st, last_error());
    expect_text(loaded, "хочу купить стол", "whatsapp", false, "\"kind\":\"new_lead\"", NULL);

    bytes[len - 1] ^= 0x5a;
    OmniClassifier *broken = NULL;
    st = omni_classifier_from_model(bytes, len, &broken);
    CHECK(st == OMNI_STATUS_INVALID_MODEL, "corrupted model: status %u", (unsigned)st);
    CHECK(broken == NULL, "no handle on failure");
    CHECK(strstr(last_error(), "checksum") != NULL, "message says why: %s", last_error());
    st = omni_classifier_from_model(S("not a model"), &broken);
    CHECK(st == OMNI_STATUS_INVALID_MODEL, "garbage model: status %u", (unsigned)st);
    omni_bytes_free(bytes, len);

    char *report = NULL;
    st = omni_classifier_evaluate(loaded, S(EXAMPLES), &report);
    CHECK(st == OMNI_STATUS_OK, "evaluate: %u (%s)", (unsigned)st, last_error());
    if (st == OMNI_STATUS_OK) {
        CHECK(strstr(report, "\"macro_f1\"") && strstr(report, "\"confusion\""), "report: %s", report);
        CHECK(strstr(report, "\"examples\":4") != NULL, "report counts examples: %s", report);
        omni_string_free(report);
    }
    st = omni_classifier_train(S("[]"), NULL, 0, &broken);
    CHECK(st == OMNI_STATUS_INVALID_ARGUMENT, "no examples: status %u", (unsigned)st);
    st = omni_classifier_train(S(EXAMPLES), S("{\"hash_bits\": 99}"), &broken);
    CHECK(st == OMNI_STATUS_INVALID_ARGUMENT && strstr(last_error(), "hash_bits"), "bad option: %u %s",
          (unsigned)st, last_error());
    omni_classifier_free(trained);
    omni_classifier_free(loaded);
}

static void test_bad_input(void) {
    char *json = NULL;
    const uint8_t bad[] = {'s', 't', 0xff, 'p'};
    OmniStatus st = omni_classify_text(NULL, bad, sizeof bad, S("sms"), false, &json);
    CHECK(st == OMNI_STATUS_INVALID_UTF8, "invalid UTF-8: status %u", (unsigned)st);
    CHECK(strstr(last_error(), "byte 2") != NULL, "names the offset: %s", last_error());
    st = omni_classify_text(NULL, NULL, 0, S("whatsapp"), false, &json);
    CHECK(st == OMNI_STATUS_OK, "empty text is assessed: %u", (unsigned)st);
    omni_string_free(json);
    json = NULL;
    st = omni_classify_text(NULL, S("hi"), S("sms"), false, NULL);
    CHECK(st == OMNI_STATUS_INVALID_ARGUMENT, "NULL output: %u", (unsigned)st);

    size_t big = 10u << 20;
    char *body = malloc(big);
    CHECK(body != NULL, "malloc");
    if (!body) return;
    const char *unit = "хочу купить ";
    size_t unit_len = strlen(unit);
    for (size_t i = 0; i < big; i++) body[i] = unit[i % unit_len];
    /* Keep it valid UTF-8: cut at a whole repetition. */
    size_t len = big - big % unit_len;
    st = omni_classify_text(NULL, (const uint8_t *)body, len, S("email"), false, &json);
    CHECK(st == OMNI_STATUS_OK, "10 MB body: %u (%s)", (unsigned)st, last_error());
    if (st == OMNI_STATUS_OK) {
        CHECK(strstr(json, "\"truncated\":true") != NULL, "10 MB body is cut: %.200s", json);
        omni_string_free(json);
    }
    free(body);
}

int main(void) {
    test_builtin_rules();
    test_batch_and_region();
    test_train_save_load_evaluate();
    test_bad_input();
    printf("test_classify: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
