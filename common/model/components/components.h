/* The built-in component types, one file each in this folder; definitions.c lists them in
 * its table. Adding a type is adding a file, a line here and a table row. */
#ifndef VELA_MODEL_COMPONENTS_H
#define VELA_MODEL_COMPONENTS_H

#include "model/definitions.h"

extern const component_def component_task;
extern const component_def component_webservice;
extern const component_def component_worker;

#endif
