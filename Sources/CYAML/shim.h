// libyaml (Debian libyaml-dev 0.2, MIT): the YAML 1.1 parser the site files are read with.
#include <yaml.h>
