#include <stdio.h>
int main (void) { puts ("urun: not built yet"); return 1; }
