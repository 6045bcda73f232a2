import asyncio, time
import homeassistant  # noqa
import aiohttp
from tests.emulator import CameraEmulator, EmulatorConfig
from custom_components.cgi_camera.api import CgiCamera
from custom_components.cgi_camera.motion import OnvifSource
from custom_components.cgi_camera.motion import CameraMotion

async def main():
    for cfg in (EmulatorConfig(), EmulatorConfig(onvif=True), EmulatorConfig(onvif=True)):
        emu = CameraEmulator(cfg); await emu.start()
        async with aiohttp.ClientSession() as s:
            c = CgiCamera(s, "127.0.0.1", emu.port, "admin", "admin")
            src = OnvifSource((1,), "127.0.0.1", emu.onvif.port if emu.onvif else 8999, "admin", "admin")
            t = time.perf_counter()
            try:
                await src.async_probe(); r="ok"
            except Exception as e: r=str(e)
            print(r, round(time.perf_counter()-t,3))
            await src.async_close()
        await emu.stop()
asyncio.run(main())
