# A pydantic v2 model with InferenceBench v0.1.0's envelope constraints, written for our tests from
# docs/envelope.md ("What InferenceBench's model changes when it loads a file", "Schema"): one base
# config (str_strip_whitespace, extra="allow"), min lengths, revision/git_commit 7-40, memory
# channels 1-16, hex hashes, a datetime timestamp, a non-empty metrics dict, fingerprint check.
# Reads JSON lines on stdin; writes per line the canonical JSON InferenceBench hashes
# (json.dumps(model_dump(mode="json") minus signature, sort_keys, compact)) or "!ERROR <loc>".
import hashlib
import json
import sys
from datetime import datetime
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

NonEmpty = Annotated[str, Field(min_length=1)]
Hex64 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class Base(BaseModel):
    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)


class Gpu(Base):
    model: NonEmpty
    pci_id: NonEmpty
    serial: NonEmpty
    vbios: NonEmpty


class Cpu(Base):
    model: NonEmpty
    microcode: NonEmpty


class Memory(Base):
    channels: Annotated[int, Field(ge=1, le=16)]
    speed_mts: Annotated[int, Field(ge=1)]
    ecc: bool = False


class Bios(Base):
    version: NonEmpty
    resizable_bar: bool
    above_4g: bool


class Hardware(Base):
    fingerprint_sha256: Hex64
    dmi_uuid: NonEmpty
    gpus: list[Gpu] = []
    cpu: Cpu
    memory: Memory
    bios: Bios
    numa: dict[str, Any] = {}
    driver: NonEmpty
    cuda: NonEmpty
    nccl: str = ""

    @model_validator(mode="after")
    def _fingerprint(self):
        body = {
            "dmi_uuid": self.dmi_uuid,
            "gpus": sorted([g.model_dump(include={"model", "pci_id", "serial", "vbios"}) for g in self.gpus], key=lambda g: g["pci_id"]),
            "cpu": {"model": self.cpu.model, "microcode": self.cpu.microcode},
            "memory": {"channels": self.memory.channels, "speed_mts": self.memory.speed_mts, "ecc": self.memory.ecc},
            "bios": {"version": self.bios.version, "resizable_bar": self.bios.resizable_bar, "above_4g": self.bios.above_4g},
            "numa": self.numa,
            "driver": self.driver,
            "cuda": self.cuda,
            "nccl": self.nccl,
        }
        digest = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
        if digest != self.fingerprint_sha256:
            raise ValueError("fingerprint_sha256 mismatch")
        return self


class Provenance(Base):
    image_digest: str = ""
    pip_freeze_hash: Hex64
    git_commit: Annotated[str, Field(min_length=7, max_length=40)]
    nvidia_smi_q_hash: str = ""


class Model(Base):
    id: NonEmpty
    revision: Annotated[str, Field(min_length=7, max_length=40)]
    provider: NonEmpty
    endpoint_hash: Hex64


class Engine(Base):
    name: NonEmpty
    version: NonEmpty
    config_hash: Hex64
    image_digest: str = ""


class Quantization(Base):
    format: str
    method: str = ""


class Dataset(Base):
    id: NonEmpty
    hash: Hex64


class Signature(Base):
    method: Literal["sigstore-cosign", "dev-key"]
    certificate: NonEmpty
    rekor_log_index: int = -1
    bundle: str = ""


class Envelope(Base):
    envelope_version: Literal["v1"] = "v1"
    suite_id: NonEmpty
    suite_version: Annotated[str, Field(pattern=r"^\d+\.\d+\.\d+(-[\w.]+)?$")]
    run_id: str
    timestamp: datetime
    model: Model
    engine: Engine
    quantization: Optional[Quantization] = None
    hardware_fingerprint: Hardware
    software_provenance: Provenance
    dataset: Dataset
    seed: int
    driver_options: dict[str, Any] = {}
    metrics: dict[str, Union[float, int, str, None]] = {}
    distributions: dict[str, str] = {}
    slo_template: str = ""
    warnings: list[str] = []
    signature: Optional[Signature] = None

    @model_validator(mode="after")
    def _checks(self):
        if not self.metrics:
            raise ValueError("metrics must contain at least one metric")
        if self.timestamp.tzinfo is None:
            raise ValueError("timestamp must be timezone-aware")
        return self


for raw in sys.stdin.buffer:
    text = raw.decode("utf-8").rstrip("\n")
    try:
        envelope = Envelope.model_validate(json.loads(text))
        body = envelope.model_dump(exclude={"signature"}, mode="json")
        out = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    except ValidationError as error:
        first = error.errors()[0]
        out = "!ERROR " + ".".join(str(p) for p in first["loc"]) + ": " + first["msg"]
    sys.stdout.write(out + "\n")
