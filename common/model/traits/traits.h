/* The built-in traits, one file each in this folder; definitions.c lists them in its table.
 * Adding a trait is adding a file, a line here and a table row. */
#ifndef VELA_MODEL_TRAITS_H
#define VELA_MODEL_TRAITS_H

#include "model/definitions.h"

extern const trait_def trait_affinity;
extern const trait_def trait_annotations;
extern const trait_def trait_command;
extern const trait_def trait_container_image;
extern const trait_def trait_container_ports;
extern const trait_def trait_cpuscaler;
extern const trait_def trait_env;
extern const trait_def trait_expose;
extern const trait_def trait_gateway;
extern const trait_def trait_hostalias;
extern const trait_def trait_hpa;
extern const trait_def trait_init_container;
extern const trait_def trait_json_merge_patch;
extern const trait_def trait_json_patch;
extern const trait_def trait_k8s_update_strategy;
extern const trait_def trait_labels;
extern const trait_def trait_lifecycle;
extern const trait_def trait_pure_ingress;
extern const trait_def trait_resource;
extern const trait_def trait_scaler;
extern const trait_def trait_service_account;
extern const trait_def trait_sidecar;
extern const trait_def trait_startup_probe;
extern const trait_def trait_storage;
extern const trait_def trait_topologyspreadconstraints;

#endif
