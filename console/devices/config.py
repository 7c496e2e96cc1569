"""Device configuration as the administrator sets it: where a device is and how to talk to it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from devices.matrix import MATRIX_PROFILES
from devices.ptz import DRIVERS as PTZ_DRIVERS

NAME_RE = re.compile(r"^[\w\-.\u4e00-\u9fff]{1,64}$")
URL_RE = re.compile(r"^(/dev/\S+|(socket|rfc2217|loop|spy)://\S*)$")
HOST_PORT_RE = re.compile(r"^socket://(?P<host>[^\s:/@]+|\[[0-9A-Fa-f:.]+\]):(?P<port>\d{1,5})$")
EXTEN_RE = re.compile(r"^[0-9*#]{1,20}$")
DIAL_RE = re.compile(r"^[A-Za-z0-9]+/\S*\{number\}\S*$")  # PJSIP/{number}, SIP/trunk/{number}
CONTEXT_RE = re.compile(r"^[\w\-]{1,80}$")
AUDIO_URL_RE = re.compile(r"^audio:(?P<device>\S.{0,199})$")  # audio:NAME (PortAudio device)
LINE_RE = re.compile(r"^[\w\-.\u4e00-\u9fff]{1,64}(/[0-9*#]{1,20})?$")  # DEVICE or DEVICE/EXTEN
SAMPLE_RATES = (8000, 11025, 16000, 22050, 32000, 44100, 48000)
# A camera's stream: rtsp[s]://, http[s]:// or a file (file:///… or an absolute path).
CAMERA_URL_RE: dict[str, re.Pattern[str]] = {
    "rtsp": re.compile(r"^rtsps?://[^\s/]+(/\S*)?$"),
    "http": re.compile(r"^https?://[^\s/]+(/\S*)?$"),
    "file": re.compile(r"^(file://)?/\S.*$"),
}


class DeviceKind(StrEnum):
    """The kinds of device the console drives so far."""

    MATRIX = "matrix"
    PTZ = "ptz"
    PBX = "pbx"  # phone dispatch through a PBX's manager interface
    MODEM = "modem"  # an analog line with caller ID through a voice modem
    FAX = "fax"  # a Class 2.0 fax modem line (console.devices.fax)
    RECORDER = "recorder"  # line taps on a multi-channel audio input (console.devices.recorder)
    CAMERA = "camera"  # a video source (RTSP, HTTP or a file); the video panes connect


PROTOCOLS: dict[DeviceKind, tuple[str, ...]] = {
    DeviceKind.MATRIX: tuple(MATRIX_PROFILES),
    DeviceKind.PTZ: tuple(PTZ_DRIVERS),
    DeviceKind.PBX: ("ami",),
    DeviceKind.MODEM: ("at-caller-id",),
    DeviceKind.FAX: ("class2",),
    DeviceKind.RECORDER: ("sounddevice",),
    DeviceKind.CAMERA: tuple(CAMERA_URL_RE),
}
KINDS_TEXT = ", ".join(k.value for k in DeviceKind)
#: Settings only a phone device has (stored with the serial settings).
PHONE_KEYS = ("username", "secret", "extension", "context", "dial")
#: Settings only a fax line has: its station id (the TSI/CSI, usually its own number).
FAX_KEYS = ("station_id",)
STATION_ID_RE = re.compile(r"^[0-9+ ]{0,20}$")  # T.30: digits, + and space, at most 20
#: Settings only a camera has: sub-stream, PTZ device, matrix and input, location (WGS-84).
CAMERA_KEYS = ("sub_url", "ptz", "matrix", "matrix_input", "lon", "lat")


@dataclass(frozen=True, slots=True)
class DeviceConfig:
    """One configured device."""

    name: str
    kind: DeviceKind
    protocol: str
    url: str
    baud: int = 9600
    bytesize: int = 8
    parity: str = "N"
    stopbits: float = 1
    rs485: bool = False
    timeout: float = 1.0
    address: int = 1  # PTZ camera address, Kramer machine number
    inputs: int | None = None
    outputs: int | None = None
    input_names: Mapping[int, str] = field(default_factory=dict)
    output_names: Mapping[int, str] = field(default_factory=dict)
    preset_names: Mapping[int, str] = field(default_factory=dict)
    enabled: bool = True
    # PBX (kind pbx, url socket://HOST:5038): the manager user and secret (manager.conf),
    # the operator's extension (an answered call is connected there; caller ID shown to the
    # called party), the dialplan context, and how a number becomes a channel to dial.
    username: str = ""
    secret: str = ""
    extension: str = ""
    context: str = "from-internal"
    dial: str = "PJSIP/{number}"
    # Fax line (kind fax, protocol class2): the station id sent to the far end.
    station_id: str = ""
    # Recorder (kind recorder, url audio:NAME): ``inputs`` channels captured at ``sample_rate``;
    # ``input_names`` maps channel → the line it taps: a phone device ("modem1") or a PBX
    # extension ("pbx/8001").
    sample_rate: int = 8000
    # Camera (kind camera, url = its main stream): the sub-stream shown in small panes, the
    # PTZ device that steers it, the display matrix it feeds and on which input ("send to
    # wall"), and where it stands (longitude, latitude; the map shows cameras there).
    sub_url: str = ""
    ptz: str = ""
    matrix: str = ""
    matrix_input: int | None = None
    lon: float | None = None
    lat: float | None = None
    # Why the stored secret cannot be read on this seat ("设备凭据无法解密：…"): set when the
    # configuration is read, never stored, never imported. Such a device is not started (the
    # device manager shows it offline with this message) and has no address to reach, so
    # nothing is ever sent in place of the secret.
    credential_error: str = ""

    @property
    def host_port(self) -> tuple[str, int] | None:
        """``(host, port)`` of a ``socket://HOST:PORT`` URL, or None.

        None for other URLs, and for a device whose secret cannot be read here.
        """
        if self.credential_error:
            return None
        return _host_port(self.url)

    def channel_for(self, number: str) -> str:
        """The PBX channel that dials ``number`` (``PJSIP/8001``)."""
        return self.dial.replace("{number}", number)

    def problems(self) -> dict[str, str]:
        """Field → message for everything wrong with this configuration (empty when fine)."""
        errors: dict[str, str] = {}
        if not NAME_RE.match(self.name):
            errors["name"] = (
                "名称应为 1–64 个字母、数字、汉字或 - _ . (name: 1–64 letters or digits)"
            )
        try:
            kind = DeviceKind(self.kind)
        except ValueError:
            errors["kind"] = f"未知设备类型 (unknown kind) {self.kind!r}: {KINDS_TEXT}"
        else:
            if self.protocol not in PROTOCOLS[kind]:
                errors["protocol"] = (
                    f"未知协议 (unknown protocol) {self.protocol!r}; "
                    f"one of: {', '.join(PROTOCOLS[kind])}"
                )
            if kind is DeviceKind.PBX:
                errors.update(self._pbx_problems())
            if kind is DeviceKind.FAX and not STATION_ID_RE.match(self.station_id):
                errors["station_id"] = (
                    "传真本机标识应为至多 20 位数字、+ 或空格 (station id: up to 20 digits, "
                    f"+ and spaces) {self.station_id!r}"
                )
            if kind is DeviceKind.RECORDER:
                errors.update(self._recorder_problems())
        if self.kind != DeviceKind.RECORDER and not URL_RE.match(self.url):
            errors["url"] = (
                "地址应为串口路径或 socket://HOST:PORT (a serial device path, socket://HOST:PORT, "
                f"rfc2217://HOST:PORT or loop://): {self.url!r}"
            )
        if self.kind == DeviceKind.CAMERA:  # a stream URL, not a port
            errors.pop("url", None)
            errors.update(self._camera_problems())
        if self.baud not in (300, 600, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200):
            errors["baud"] = f"不支持的波特率 (unsupported baud rate) {self.baud}"
        if self.parity not in ("N", "E", "O", "M", "S"):
            errors["parity"] = f"校验位应为 N/E/O/M/S (parity) {self.parity!r}"
        if self.bytesize not in (5, 6, 7, 8):
            errors["bytesize"] = f"数据位应为 5–8 (data bits) {self.bytesize}"
        if self.stopbits not in (1, 1.5, 2):
            errors["stopbits"] = f"停止位应为 1、1.5 或 2 (stop bits) {self.stopbits}"
        if not 0.05 <= self.timeout <= 30:
            errors["timeout"] = f"超时应在 0.05–30 秒 (timeout seconds) {self.timeout}"
        if not 0 <= self.address <= 255:
            errors["address"] = f"地址应在 0–255 (address) {self.address}"
        for key in ("inputs", "outputs"):
            value = getattr(self, key)
            if value is not None and not 1 <= value <= 512:
                errors[key] = f"端口数应在 1–512 ({key}) {value}"
        return errors

    def _pbx_problems(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        where = _host_port(self.url)
        if where is None or not 1 <= where[1] <= 65535:
            errors["url"] = (
                "交换机地址应为 socket://主机:端口 (a PBX is reached at socket://HOST:PORT, "
                f"AMI port 5038): {self.url!r}"
            )
        if not self.username:
            errors["username"] = "需填写 AMI 用户名 (the manager.conf username is required)"
        if self.credential_error:
            errors["secret"] = self.credential_error
        if self.extension and not EXTEN_RE.match(self.extension):
            errors["extension"] = f"分机号应为数字 (extension: digits) {self.extension!r}"
        if not CONTEXT_RE.match(self.context):
            errors["context"] = f"拨号方案上下文无效 (dialplan context) {self.context!r}"
        if not DIAL_RE.match(self.dial):
            errors["dial"] = (
                f"拨号通道应形如 PJSIP/{{number}} (dial: a channel with {{number}}) {self.dial!r}"
            )
        return errors

    def _camera_problems(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        pattern = CAMERA_URL_RE.get(self.protocol)
        if pattern is not None:
            for key in ("url", "sub_url"):
                value = getattr(self, key)
                if (value or key == "url") and not pattern.match(value):
                    errors[key] = (
                        f"视频地址与协议 {self.protocol} 不符 (a {self.protocol} stream is "
                        "rtsp://HOST[:PORT]/PATH, http://HOST/PATH or a file path): "
                        f"{value!r}"
                    )
        for key in ("ptz", "matrix"):
            value = getattr(self, key)
            if value and not NAME_RE.match(value):
                errors[key] = f"设备名称无效 ({key}: a device name) {value!r}"
        if self.matrix_input is not None and not 1 <= self.matrix_input <= 512:
            errors["matrix_input"] = f"矩阵输入应在 1–512 (matrix input) {self.matrix_input}"
        if (self.lon is None) != (self.lat is None):
            errors["lon"] = "经纬度须同时填写 (give both longitude and latitude)"
        if self.lon is not None and not -180 <= self.lon <= 180:
            errors["lon"] = f"经度应在 -180–180 (longitude) {self.lon}"
        if self.lat is not None and not -90 <= self.lat <= 90:
            errors["lat"] = f"纬度应在 -90–90 (latitude) {self.lat}"
        return errors

    def stream_url(self, *, sub: bool = False) -> str:
        """A camera's main stream, or its sub-stream (the main one when it has none)."""
        return (self.sub_url or self.url) if sub else self.url

    def _recorder_problems(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not AUDIO_URL_RE.match(self.url):
            errors["url"] = (
                "录音设备地址应为 audio:设备名 (a recorder is an audio input, audio:NAME, e.g. "
                f"audio:hw:1,0 or audio:default): {self.url!r}"
            )
        if self.inputs is None or not 1 <= self.inputs <= 64:
            errors["inputs"] = f"录音通道数应在 1–64 (inputs: channels) {self.inputs}"
        if self.sample_rate not in SAMPLE_RATES:
            errors["sample_rate"] = (
                f"采样率应为 {', '.join(map(str, SAMPLE_RATES))} (sample rate) {self.sample_rate}"
            )
        for channel, line in self.input_names.items():
            if self.inputs is not None and not 1 <= channel <= self.inputs:
                errors["input_names"] = f"没有通道 {channel} (no such channel)"
            elif not LINE_RE.match(line):
                errors["input_names"] = (
                    f"通道 {channel} 的线路应为 设备名 或 设备名/分机号 "
                    f"(line: DEVICE or DEVICE/EXTEN) {line!r}"
                )
        return errors

    def label_of_input(self, n: int) -> str:
        """The administrator's name of an input, or its number."""
        return self.input_names.get(n, f"输入{n}")

    def label_of_output(self, n: int) -> str:
        """The administrator's name of an output, or its number."""
        return self.output_names.get(n, f"输出{n}")


def _host_port(url: str) -> tuple[str, int] | None:
    match = HOST_PORT_RE.match(url)
    if match is None:
        return None
    return match["host"].strip("[]"), int(match["port"])


def _names(value: object) -> dict[int, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError("names must be a table of number = name")
    return {int(k): str(v) for k, v in value.items()}


def _optional(value: object, kind: type[int] | type[float]) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"expected a number: {value!r}")
    return kind(value)


def config_from_mapping(data: Mapping[str, Any]) -> DeviceConfig:
    """Build a configuration from a TOML table or JSON object (keys as in DeviceConfig).

    Raises:
        ValueError: a key is unknown or a value has the wrong type (message says which).
    """
    known = set(DeviceConfig.__dataclass_fields__) - {"credential_error"}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"未知字段 (unknown keys): {', '.join(sorted(unknown))}")
    missing = {"name", "kind", "protocol", "url"} - set(data)
    if missing:
        raise ValueError(f"缺少字段 (missing keys): {', '.join(sorted(missing))}")
    try:
        kind = DeviceKind(str(data["kind"]))
    except ValueError as exc:
        raise ValueError(f"未知设备类型 (unknown kind) {data['kind']!r}: {KINDS_TEXT}") from exc
    try:
        return DeviceConfig(
            name=str(data["name"]),
            kind=kind,
            protocol=str(data["protocol"]),
            url=str(data["url"]),
            baud=int(data.get("baud", 9600)),
            bytesize=int(data.get("bytesize", 8)),
            parity=str(data.get("parity", "N")).upper(),
            stopbits=float(data.get("stopbits", 1)),
            rs485=bool(data.get("rs485", False)),
            timeout=float(data.get("timeout", 1.0)),
            address=int(data.get("address", 1)),
            inputs=int(data["inputs"]) if data.get("inputs") is not None else None,
            outputs=int(data["outputs"]) if data.get("outputs") is not None else None,
            input_names=_names(data.get("input_names")),
            output_names=_names(data.get("output_names")),
            preset_names=_names(data.get("preset_names")),
            enabled=bool(data.get("enabled", True)),
            username=str(data.get("username") or ""),
            secret=str(data.get("secret") or ""),
            extension=str(data.get("extension") or ""),
            context=str(data.get("context") or "from-internal"),
            dial=str(data.get("dial") or "PJSIP/{number}"),
            station_id=str(data.get("station_id") or ""),
            sample_rate=int(data.get("sample_rate") or 8000),
            sub_url=str(data.get("sub_url") or ""),
            ptz=str(data.get("ptz") or ""),
            matrix=str(data.get("matrix") or ""),
            matrix_input=_optional(data.get("matrix_input"), int),
            lon=_optional(data.get("lon"), float),
            lat=_optional(data.get("lat"), float),
        )
    except (TypeError, ValueError) as exc:
        raise ValueError(f"字段类型错误 (bad value): {exc}") from exc


def config_to_mapping(cfg: DeviceConfig, *, secret: bool = False) -> dict[str, Any]:
    """The JSON/TOML-friendly form of a configuration.

    A PBX's ``secret`` is left out unless ``secret`` is true (listings and exports never show
    it unless asked for explicitly).
    """
    return (
        {
            "name": cfg.name,
            "kind": cfg.kind.value,
            "protocol": cfg.protocol,
            "url": cfg.url,
            "baud": cfg.baud,
            "bytesize": cfg.bytesize,
            "parity": cfg.parity,
            "stopbits": cfg.stopbits,
            "rs485": cfg.rs485,
            "timeout": cfg.timeout,
            "address": cfg.address,
            "inputs": cfg.inputs,
            "outputs": cfg.outputs,
            "input_names": {str(k): v for k, v in cfg.input_names.items()},
            "output_names": {str(k): v for k, v in cfg.output_names.items()},
            "preset_names": {str(k): v for k, v in cfg.preset_names.items()},
            "enabled": cfg.enabled,
            # A camera's own settings (the map reads "lon" and "lat" of the stored settings).
            **(
                {key: getattr(cfg, key) for key in CAMERA_KEYS}
                if cfg.kind == DeviceKind.CAMERA
                else {}
            ),
        }
        | (
            # Only a PBX has these: matrices' and cameras' tables stay as they were.
            {key: getattr(cfg, key) for key in PHONE_KEYS if secret or key != "secret"}
            if cfg.kind == DeviceKind.PBX
            else {}
        )
        | ({key: getattr(cfg, key) for key in FAX_KEYS} if cfg.kind == DeviceKind.FAX else {})
        | ({"sample_rate": cfg.sample_rate} if cfg.kind == DeviceKind.RECORDER else {})
    )
