/* Host entry for the self-test: prints to stdout. */
#include <stdio.h>

int tfg_selftest_main(void);

void tfg_test_print(const char *text) { fputs(text, stdout); }

int main(void) { return tfg_selftest_main(); }
