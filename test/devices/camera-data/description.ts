// The Leica Q3 device description as captured, with the absolute URLs re-pointed at the
// simulated camera's own HTTP server.

import { xmlEscape } from '../http-device';

export const CAMERA_DEFAULT_UDN = 'uuid:4Dxxxxxx-0100-1000-8000-DCxxxxxxxx09';
export const CAMERA_DEFAULT_FRIENDLY_NAME = 'Leica Q3-1234567';
export const CAMERA_SERVER_HEADER = 'Leica/1.0 UPnP/1.0 Leica-UPnP-MW/1.0';

/** Path layout of the real camera. */
export const CAMERA_PATHS = {
  description: '/DCxxxxxxxx09/Server0/ddd',
  cdsScpd: '/Server0/CDS_SCPD',
  cdsControl: '/Server0/CDS_control',
  cdsEvent: '/Server0/CDS_event',
  cmsScpd: '/Server0/CMS_SCPD',
  cmsControl: '/Server0/CMS_control',
  cmsEvent: '/Server0/CMS_event',
} as const;

export function cameraDescription(baseUrl: string, udn: string, friendlyName: string): string {
  const u = (path: string): string => xmlEscape(baseUrl + path);
  return `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0" xmlns:leica="urn:schemas-leica-com:leica">
  <specVersion>
    <major>1</major>
    <minor>0</minor>
  </specVersion>
  <device>
    <deviceType>urn:schemas-upnp-org:device:MediaServer:1</deviceType>
    <friendlyName>${xmlEscape(friendlyName)}</friendlyName>
    <manufacturer>Leica Camera AG</manufacturer>
    <modelName>LEICA Q3</modelName>
    <modelNumber>Leica Q3</modelNumber>
    <modelDescription></modelDescription>
    <serialNumber>1234567</serialNumber>
    <modelURL></modelURL>
    <manufacturerURL></manufacturerURL>
    <UDN>${xmlEscape(udn)}</UDN>
    <dlna:X_DLNADOC xmlns:dlna="urn:schemas-dlna-org:device-1-0">M-DMS-1.50</dlna:X_DLNADOC>
    <leica:X_AdditionalFunction>CPRemoteView</leica:X_AdditionalFunction>
    <leica:X_FirmVersion>2.0.5</leica:X_FirmVersion>
    <leica:X_CamCategory>MirrorlessILC</leica:X_CamCategory>
    <serviceList>
      <service>
        <serviceType>urn:schemas-upnp-org:service:ContentDirectory:1</serviceType>
        <serviceId>urn:upnp-org:serviceId:ContentDirectory</serviceId>
        <SCPDURL>${u(CAMERA_PATHS.cdsScpd)}</SCPDURL>
        <controlURL>${u(CAMERA_PATHS.cdsControl)}</controlURL>
        <eventSubURL>${u(CAMERA_PATHS.cdsEvent)}</eventSubURL>
      </service>
      <service>
        <serviceType>urn:schemas-upnp-org:service:ConnectionManager:1</serviceType>
        <serviceId>urn:upnp-org:serviceId:ConnectionManager</serviceId>
        <SCPDURL>${u(CAMERA_PATHS.cmsScpd)}</SCPDURL>
        <controlURL>${u(CAMERA_PATHS.cmsControl)}</controlURL>
        <eventSubURL>${u(CAMERA_PATHS.cmsEvent)}</eventSubURL>
      </service>
    </serviceList>
  </device>
</root>
`;
}
