#ifndef USHER_CHIREDIS_SHIM_H
#define USHER_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#include <hiredis/read.h>
#endif
