// libmodbus (Debian libmodbus-dev 3.1, LGPL-2.1-or-later).
#include <modbus/modbus.h>
