; Inno Setup 6 script: installs the PyInstaller one-folder build (dist\photoclip) with a
; Start-menu shortcut and an uninstaller (Settings > Apps). Build on Windows:
;
;   pyinstaller --noconfirm packaging\pyinstaller\photoclip.spec
;   iscc /DAppVersion=0.1.0 packaging\windows\photoclip.iss
;
; -> dist\photoclip-<version>-setup.exe. AppVersion defaults to the version below, which
; tests/packaging keeps equal to pyproject.toml's. The uninstaller removes the program only:
; the library (%LOCALAPPDATA%\photoclip) stays, as the README explains.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "photoclip"
#define AppExe "photoclip-gui.exe"
#define CliExe "photoclip.exe"
#define DistDir "..\..\dist\photoclip"

[Setup]
; The AppId identifies this program for upgrades and the uninstaller: never change it.
AppId={{B875CC45-2C51-4095-86C8-4367436A0FF3}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=photoclip developers
AppComments=Search your photos by what is in them
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-user install by default (no administrator needed); the dialog offers all users.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename={#AppName}-{#AppVersion}-setup
SetupIconFile=photoclip.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#DistDir}\{#AppExe}"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#DistDir}\{#CliExe}"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#DistDir}\_internal\*"; DestDir: "{app}\_internal"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; an upgrade replaces the bundled libraries whole (no stale modules from the previous version)
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Search your photos by what is in them"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
Type: filesandordirs; Name: "{app}\_internal"
