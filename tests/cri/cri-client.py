#!/usr/bin/python3
"""A minimal CRI client for the integration tests: calls one method of the Kubernetes CRI (runtime.v1,
tests/cri/api.proto) on a gRPC unix socket, the request as JSON on stdin, the response as JSON on
stdout (proto field names). A gRPC error is one line on stderr, "CRI Method: CODE: details", and
exit 1. It never retries and never changes a request: the test sees what the server said.

Usage: cri-client.py GENERATED-DIR SOCKET Service.Method [TIMEOUT-SECONDS] <request.json
GENERATED-DIR holds api_pb2.py and api_pb2_grpc.py, made from tests/cri/api.proto by
`python3 -m grpc_tools.protoc` (tests/integration/test-cri.sh does it at test time).
"""
import sys


def main():
    if len(sys.argv) not in (4, 5):
        sys.stderr.write(__doc__)
        return 2
    sys.path.insert(0, sys.argv[1])
    import grpc
    from google.protobuf import json_format
    import api_pb2
    import api_pb2_grpc

    socket, name = sys.argv[2], sys.argv[3]
    timeout = float(sys.argv[4]) if len(sys.argv) == 5 else 60
    service, _, method = name.partition(".")
    service_desc = api_pb2.DESCRIPTOR.services_by_name.get(service)
    method_desc = service_desc.methods_by_name.get(method) if service_desc else None
    if method_desc is None:
        sys.stderr.write("CRI %s: no such method in tests/cri/api.proto\n" % name)
        return 2

    request = getattr(api_pb2, method_desc.input_type.name)()
    try:
        json_format.Parse(sys.stdin.read() or "{}", request)
    except json_format.ParseError as e:
        sys.stderr.write("CRI %s: bad request: %s\n" % (name, e))
        return 2

    with grpc.insecure_channel("unix://" + socket) as channel:
        stub = getattr(api_pb2_grpc, service + "Stub")(channel)
        try:
            response = getattr(stub, method)(request, timeout=timeout)
        except grpc.RpcError as e:
            sys.stderr.write("CRI %s: %s: %s\n" % (method, e.code().name, e.details()))
            return 1
    sys.stdout.write(json_format.MessageToJson(response, preserving_proto_field_name=True,
                                               including_default_value_fields=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
