"""`zhpile-sdk-worker`: a Beam Python SDK worker for `--environment_type=PROCESS`.

Beam's containers start workers with a Go boot program that is not on PyPI. This does
its part for a machine where zhpile is installed: ask the runner's provision service for
the job's options and endpoints, put them where Beam's worker reads them, start it.
Each Flink TaskManager (Spark executor) starts and stops its own workers this way. (Beam's
shared worker pool cannot serve two TaskManagers: their worker ids collide, and stopping
one TaskManager's worker kills the other's.)
"""
from __future__ import annotations

import argparse
import os
import sys

import grpc
from apache_beam.portability.api import beam_provision_api_pb2, beam_provision_api_pb2_grpc, endpoints_pb2
from apache_beam.runners.worker import sdk_worker_main
from google.protobuf import json_format, text_format

from .beam_worker import tune_sdk_worker


def _descriptor(url: str) -> str:
    return text_format.MessageToString(endpoints_pb2.ApiServiceDescriptor(url=url))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="zhpile-sdk-worker")
    parser.add_argument("--id", required=True)
    parser.add_argument("--provision_endpoint", required=True)
    parser.add_argument("--control_endpoint")
    parser.add_argument("--logging_endpoint")
    args, _unknown = parser.parse_known_args(argv)

    with grpc.insecure_channel(args.provision_endpoint) as channel:
        info = beam_provision_api_pb2_grpc.ProvisionServiceStub(channel).GetProvisionInfo(
            beam_provision_api_pb2.GetProvisionInfoRequest(), metadata=[("worker_id", args.id)]).info
    env = os.environ
    env["WORKER_ID"] = args.id
    env["PIPELINE_OPTIONS"] = json_format.MessageToJson(info.pipeline_options)
    env["RUNNER_CAPABILITIES"] = " ".join(info.runner_capabilities)
    control = info.control_endpoint.url or args.control_endpoint
    logging_url = info.logging_endpoint.url or args.logging_endpoint
    env["CONTROL_API_SERVICE_DESCRIPTOR"] = _descriptor(control)
    if logging_url:
        env["LOGGING_API_SERVICE_DESCRIPTOR"] = _descriptor(logging_url)
    tune_sdk_worker()
    sdk_worker_main.main(sys.argv)


if __name__ == "__main__":
    main()
