#include "render/template.h"
