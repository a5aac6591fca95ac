// libgpiod v1 (Debian 12 ships 1.6.3), LGPL-2.1-or-later.
#include <gpiod.h>
