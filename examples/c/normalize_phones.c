/* Normalises the phone numbers in a file, one per line, the way a CRM would clean a contact
 * table: E.164, region, line type, extension, or the reason a value is unusable.
 *
 *   cc -I omni-ffi/include examples/c/normalize_phones.c target/release/libomni.a -lpthread -ldl -lm
 *   ./a.out examples/data/phones.txt
 */
#include "omni.h"

#include <stdio.h>
#include <string.h>

static const char *kind_name(OmniPhoneKind kind) {
    switch (kind) {
        case OMNI_PHONE_KIND_MOBILE: return "mobile";
        case OMNI_PHONE_KIND_FIXED_LINE: return "fixed_line";
        case OMNI_PHONE_KIND_FIXED_LINE_OR_MOBILE: return "fixed_line_or_mobile";
        case OMNI_PHONE_KIND_TOLL_FREE: return "toll_free";
        case OMNI_PHONE_KIND_PREMIUM_RATE: return "premium_rate";
        case OMNI_PHONE_KIND_SHARED_COST: return "shared_cost";
        case OMNI_PHONE_KIND_VOIP: return "voip";
        default: return "other";
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    OmniPhoneNormalizer *ru = NULL;
    if (omni_phone_normalizer_new((const uint8_t *)"RU", 2, &ru) != OMNI_STATUS_OK) {
        fprintf(stderr, "omni: %s\n", omni_last_error_message());
        fclose(f);
        return 1;
    }
    char line[1024];
    int ok = 0, rejected = 0;
    while (fgets(line, sizeof line, f)) {
        size_t len = strcspn(line, "\r\n");
        line[len] = '\0';
        if (len == 0 || line[0] == '#') continue;
        OmniPhone phone;
        if (omni_phone_normalizer_normalize(ru, (const uint8_t *)line, len, &phone) == OMNI_STATUS_OK) {
            ok++;
            printf("%-32s -> %-16s %-3s %-12s%s%s%s\n", line, phone.e164, phone.region, kind_name(phone.kind),
                   phone.valid ? "" : " (not valid)", phone.extension[0] ? " ext " : "", phone.extension);
        } else {
            rejected++;
            printf("%-32s -> rejected: %s (%s)\n", line, omni_error_kind_name(omni_last_error_code()),
                   omni_last_error_message());
        }
    }
    fclose(f);
    omni_phone_normalizer_free(ru);
    printf("%d normalised, %d rejected\n", ok, rejected);
    return 0;
}
