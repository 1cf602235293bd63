/*
 * fuzz_privacy: any text through privacy_mask, as place and note are
 * masked before they are kept.
 *
 * Oracles: the result is valid UTF-8; masking it again changes nothing
 * and finds nothing; privacy_scan agrees with privacy_mask; the English
 * markers find the same kinds; only known kinds are reported; and valid
 * text with nothing found comes back byte for byte.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "privacy.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*text, *out, *again, *en;
	unsigned	 found, found2, found_en;

	text = fuzz_cstring(data, size);
	out = privacy_mask(text, &found);
	FUZZ_CHECK((found & ~PRIVACY_ALL) == 0);
	if (!fuzz_valid_utf8(out, strlen(out)))
		fuzz_fail("output is not UTF-8");
	again = privacy_mask(out, &found2);
	if (strcmp(again, out) != 0 || found2 != 0)
		fuzz_fail("not idempotent: \"%s\" -> \"%s\" (found %u)",
		    fuzz_show(out, strlen(out)), fuzz_show(again, strlen(again)),
		    found2);
	FUZZ_CHECK(privacy_scan(text) == found);
	if (found == 0 && fuzz_valid_utf8(text, strlen(text)))
		FUZZ_CHECK(strcmp(out, text) == 0);
	en = privacy_mask_lang(text, "en", &found_en);
	FUZZ_CHECK(found_en == found);
	FUZZ_CHECK(fuzz_valid_utf8(en, strlen(en)));
	free(en);
	free(again);
	free(out);
	free(text);
	return 0;
}
