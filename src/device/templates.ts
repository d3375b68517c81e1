// Starting points for a device definition (UPnP: New Device Definition…). Each is a set of files
// written into an empty folder; every one loads without problems (test/unit/device-templates.test.ts).
//
// - canon: the Canon PTP/IP pairing responder, exactly as the camera expects it (the facts of
//   the exchange: Windows SERVER string, text/xml; charset="utf-8", only upnp:rootdevice and
//   ssdp:all answered and at once, max-age 900, port 8043, a friendlyName the camera shows up to
//   its first colon, and a UUID kept in the folder so the camera recognises the PC again).
// - basic: the Python seed's Basic device: one vendor service with an action taking an in
//   argument and giving out arguments, one that faults, and an evented variable.
// - empty: a root device with nothing in it, for whoever writes their own.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

export type TemplateId = 'canon' | 'basic' | 'empty';

export interface DeviceTemplate {
  readonly id: TemplateId;
  readonly label: string;
  readonly detail: string;
  /** Relative path → content. */
  readonly files: Readonly<Record<string, string>>;
  /** The file to open after writing it. */
  readonly open: string;
}

const PLACEHOLDER_UDN = 'uuid:00000000-0000-0000-0000-000000000000';
const WINDOWS_SERVER = 'Microsoft-Windows/10.0 UPnP/1.0 UPnP-Device-Host/1.0';

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

const CANON: DeviceTemplate = {
  id: 'canon',
  label: 'Canon PTP/IP pairing responder',
  detail: 'Lets a Canon PowerShot pair with this computer over Wi-Fi ("Add a Device…"), as a Windows PC would.',
  open: 'README.md',
  files: {
    'upnp-device.json': json({
      description: 'ptpip-canon-desc-helper.xml',
      ssdp: { server: WINDOWS_SERVER, maxAgeSeconds: 900, answer: 'root', mxDelay: false },
      http: { port: 8043, descriptionPath: '/ptpip-canon-desc-helper.xml', server: WINDOWS_SERVER, contentType: 'text/xml; charset="utf-8"' },
      identity: { friendlyName: '${hostname}: PTPIPResponder:' },
    }),
    'ptpip-canon-desc-helper.xml': `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
  <specVersion><major>1</major><minor>0</minor></specVersion>
  <device>
    <deviceType>urn:chdk-fandom-com:device:PTPIPConnectHelper:1</deviceType>
    <friendlyName>PTPIPResponder</friendlyName>
    <manufacturer>UPnP Explorer</manufacturer>
    <modelName>PTP/IP pairing responder</modelName>
    <modelNumber>1</modelNumber>
    <UDN>${PLACEHOLDER_UDN}</UDN>
  </device>
</root>
`,
    'README.md': `# Canon PTP/IP pairing responder

This folder is a UPnP device that a Canon PowerShot accepts as a PC to pair with over Wi-Fi.

1. Right-click this folder (or \`upnp-device.json\`) and choose **UPnP: Host Device**.
2. On the camera, open the Wi-Fi menu and choose **Add a Device…** (connect to a computer).
3. Watch the **UPnP Host** output channel: the camera's search appears as
   \`M-SEARCH from <camera-ip>:<port> … ST upnp:rootdevice …: answering\`, then its description request.
4. Pick this computer on the camera. It says "Connected to device <name>" and waits for PTP/IP on
   TCP 15740: connect your client to the camera's address, e.g. \`chdkptp\` with
   \`connect -h=<camera-ip>\`.

What the camera insists on, and this definition does:
- a Windows \`SERVER\` string in the answer and in the HTTP \`Server\` header;
- \`Content-Type: text/xml; charset="utf-8"\` for the description;
- answers to \`upnp:rootdevice\` (and \`ssdp:all\`), sent at once, with \`max-age=900\`;
- the same UUID every time: it is created on the first start and kept in \`.upnp-device-uuid\`.
  Keep that file (commit it if the folder is shared): a paired camera only comes back to it.

The camera shows the friendly name up to its first colon: \`\${hostname}\` becomes this computer's name.
`,
  },
};

const BASIC: DeviceTemplate = {
  id: 'basic',
  label: 'Basic device with a vendor service',
  detail: 'An action with in and out arguments, one that faults, and an evented variable to emit events from.',
  open: 'upnp-device.json',
  files: {
    'upnp-device.json': json({
      ssdp: { server: 'Linux/6 UPnP/1.0 Jambon/3000', maxAgeSeconds: 1800 },
      identity: { friendlyName: 'Jambon 3000 on ${hostname}' },
      services: {
        'urn:example-com:serviceId:Jambon': {
          actions: {
            GetSlice: { outputs: { Slice: 'thin', Count: 3 } },
            Burn: { fault: { code: 701, description: 'The toaster is busy' } },
          },
          variables: { Temperature: '20' },
        },
      },
    }),
    'description.xml': `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
  <specVersion><major>1</major><minor>0</minor></specVersion>
  <device>
    <deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType>
    <friendlyName>Jambon 3000</friendlyName>
    <manufacturer>Example</manufacturer>
    <modelName>Jambon</modelName>
    <modelNumber>3000</modelNumber>
    <UDN>${PLACEHOLDER_UDN}</UDN>
    <serviceList>
      <service>
        <serviceType>urn:example-com:service:Jambon:1</serviceType>
        <serviceId>urn:example-com:serviceId:Jambon</serviceId>
        <SCPDURL>scpd/jambon.xml</SCPDURL>
        <controlURL>control/jambon</controlURL>
        <eventSubURL>events/jambon</eventSubURL>
      </service>
    </serviceList>
  </device>
</root>
`,
    'scpd/jambon.xml': `<?xml version="1.0"?>
<scpd xmlns="urn:schemas-upnp-org:service-1-0">
  <specVersion><major>1</major><minor>0</minor></specVersion>
  <actionList>
    <action>
      <name>GetSlice</name>
      <argumentList>
        <argument><name>Thickness</name><direction>in</direction><relatedStateVariable>A_ARG_TYPE_Thickness</relatedStateVariable></argument>
        <argument><name>Slice</name><direction>out</direction><relatedStateVariable>A_ARG_TYPE_Thickness</relatedStateVariable></argument>
        <argument><name>Count</name><direction>out</direction><relatedStateVariable>SliceCount</relatedStateVariable></argument>
      </argumentList>
    </action>
    <action>
      <name>Burn</name>
    </action>
  </actionList>
  <serviceStateTable>
    <stateVariable sendEvents="no">
      <name>A_ARG_TYPE_Thickness</name>
      <dataType>string</dataType>
      <allowedValueList><allowedValue>thin</allowedValue><allowedValue>thick</allowedValue></allowedValueList>
    </stateVariable>
    <stateVariable sendEvents="no">
      <name>SliceCount</name>
      <dataType>ui4</dataType>
    </stateVariable>
    <stateVariable sendEvents="yes">
      <name>Temperature</name>
      <dataType>i4</dataType>
      <allowedValueRange><minimum>-40</minimum><maximum>300</maximum></allowedValueRange>
    </stateVariable>
  </serviceStateTable>
</scpd>
`,
  },
};

const EMPTY: DeviceTemplate = {
  id: 'empty',
  label: 'Empty root device',
  detail: 'A description with a device and nothing in it; add services and SCPDs yourself.',
  open: 'description.xml',
  files: {
    'upnp-device.json': json({ identity: { friendlyName: 'New device on ${hostname}' } }),
    'description.xml': `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
  <specVersion><major>1</major><minor>1</minor></specVersion>
  <device>
    <deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType>
    <friendlyName>New device</friendlyName>
    <manufacturer>You</manufacturer>
    <modelName>New device</modelName>
    <UDN>${PLACEHOLDER_UDN}</UDN>
    <serviceList/>
  </device>
</root>
`,
  },
};

export const DEVICE_TEMPLATES: readonly DeviceTemplate[] = [CANON, BASIC, EMPTY];

/**
 * Writes a template into `folder` (created when missing). Refuses a folder that already has files,
 * so nothing of the user's is ever overwritten.
 */
export async function writeTemplate(template: DeviceTemplate, folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  const present = await readdir(folder);
  if (present.length > 0) throw new Error(`${folder} is not empty (${present.slice(0, 3).join(', ')}${present.length > 3 ? ', …' : ''}): choose a new folder for the device.`);
  for (const [relative, content] of Object.entries(template.files)) {
    const file = path.join(folder, ...relative.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content, { flag: 'wx' });
  }
}
